import * as z from 'zod/mini';
import type { TaskClassDefinition } from './definition';
import { DAY_SECONDS, idField } from './fields';

export const analyticsSchema = z.strictObject({
  eventId: idField(),
  name: idField(),
  entityId: idField(),
  // zod 4 numbers reject NaN and the infinities.
  value: z.optional(z.number()),
});

export type AnalyticsTask = z.infer<typeof analyticsSchema>;

export const analytics: TaskClassDefinition<AnalyticsTask> = {
  name: 'analytics',
  description: 'Adds an event to its aggregate counter.',
  schema: analyticsSchema,
  entityType: 'event',
  action: 'record',
  entityId: (task) => task.eventId,
  intent: (task) => ({
    name: task.name,
    entityId: task.entityId,
    value: task.value,
  }),
  retries: 2,
  backoffSeconds: [5, 10],
  idempotencyTtlSeconds: DAY_SECONDS,
  protection: 'basic',
  requiresIdempotencyKey: false,
  consumer: { batchSize: 10, timeoutSeconds: 5, memorySizeMb: 256 },
};
