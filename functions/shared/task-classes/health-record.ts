import * as z from 'zod/mini';
import type { TaskClassDefinition } from './definition';
import { DAY_SECONDS, idField, objectField } from './fields';

export const healthRecordSchema = z.strictObject({
  recordId: idField(),
  patientId: idField(),
  recordType: z.string().check(
    z.regex(/^[a-z][a-z0-9-]{0,63}$/, {
      error: 'must be a lowercase type such as prescription',
    }),
  ),
  authoredBy: idField(),
  content: objectField(),
});

export type HealthRecordTask = z.infer<typeof healthRecordSchema>;

export const healthRecord: TaskClassDefinition<HealthRecordTask> = {
  name: 'health-record',
  description: 'Stores a health record with an append-only audit entry.',
  schema: healthRecordSchema,
  entityType: 'record',
  action: 'create',
  entityId: (task) => task.recordId,
  intent: (task) => ({
    patientId: task.patientId,
    recordType: task.recordType,
    authoredBy: task.authoredBy,
    content: task.content,
  }),
  retries: 2,
  backoffSeconds: [5, 10],
  // A clinic system may replay a day's uploads after an outage.
  idempotencyTtlSeconds: 7 * DAY_SECONDS,
  protection: 'full-with-audit',
  requiresIdempotencyKey: true,
  consumer: { batchSize: 5, timeoutSeconds: 5, memorySizeMb: 256 },
};
