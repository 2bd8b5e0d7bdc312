import * as z from 'zod/mini';
import type { TaskClassDefinition } from './definition';
import { DAY_SECONDS, idField, objectField } from './fields';

/** Patterns a recipient must match on each channel. */
const RECIPIENT_PATTERNS = {
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  // E.164: a plus sign and 8 to 15 digits.
  sms: /^\+[1-9][0-9]{7,14}$/,
} as const;

export const notificationSchema = z
  .strictObject({
    notificationId: idField(),
    recipient: z.string().check(z.minLength(1), z.maxLength(254)),
    channel: z.enum(['email', 'sms']),
    template: idField(),
    data: objectField(),
  })
  .check(
    z.superRefine((task, context) => {
      if (!RECIPIENT_PATTERNS[task.channel].test(task.recipient)) {
        context.addIssue({
          code: 'custom',
          path: ['recipient'],
          input: task.recipient,
          message:
            task.channel === 'email'
              ? 'must be an email address for the email channel'
              : 'must be an E.164 phone number such as +919800000000 for the sms channel',
        });
      }
    }),
  );

export type NotificationTask = z.infer<typeof notificationSchema>;

export const notification: TaskClassDefinition<NotificationTask> = {
  name: 'notification',
  description: 'Sends a message through the notification provider.',
  schema: notificationSchema,
  entityType: 'notification',
  action: 'send',
  entityId: (task) => task.notificationId,
  intent: (task) => ({
    recipient: task.recipient,
    channel: task.channel,
    template: task.template,
    data: task.data,
  }),
  // Fails mostly from network instability, so it retries fast.
  retries: 3,
  backoffSeconds: [2, 4, 8],
  // A message resent after a day is stale; providers keep keys about as long.
  idempotencyTtlSeconds: DAY_SECONDS,
  protection: 'queue-dedup',
  requiresIdempotencyKey: false,
  consumer: { batchSize: 10, timeoutSeconds: 5, memorySizeMb: 256 },
};
