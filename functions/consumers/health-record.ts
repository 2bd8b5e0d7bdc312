import { requireEnv } from '../shared/aws-clients';
import { ENV } from '../shared/resources';
import {
  type HealthRecordTask,
  healthRecord,
} from '../shared/task-classes/health-record';
import { taskOutcomeUpdate } from '../shared/task-store';
import { writeEffectOnce } from './conditional-effect';
import { createConsumer, type ValidTask } from './consumer';

/** Returns the audit trail partition of an entity. */
export const auditEntityOf = (entityType: string, entityId: string): string =>
  `${entityType}#${entityId}`;

/**
 * Stores a health record and appends its audit entry in one transaction.
 * The record claims its record id, so a redelivery neither stores a second
 * record nor appends a second audit entry.
 */
export const storeHealthRecord = async ({
  envelope,
  task,
  protectionOn,
  completion,
}: ValidTask<HealthRecordTask>): Promise<Record<string, unknown>> => {
  const createdAt = new Date().toISOString();
  const result = { outcome: 'stored', recordId: task.recordId };
  const outcome = {
    taskId: envelope.taskId,
    className: healthRecord.name,
    businessKey: envelope.businessKey,
    status: 'completed' as const,
    result,
  };

  await writeEffectOnce({
    claim: {
      Put: {
        TableName: requireEnv(ENV.healthRecordsTable),
        Item: {
          pk: `RECORD#${task.recordId}`,
          sk: 'RECORD',
          businessKey: envelope.businessKey,
          taskId: envelope.taskId,
          patientId: task.patientId,
          recordType: task.recordType,
          authoredBy: task.authoredBy,
          content: task.content,
          createdAt,
        },
      },
    },
    others: [
      {
        // The audit entry names who acted and on what, never the content.
        Put: {
          TableName: requireEnv(ENV.auditTable),
          Item: {
            entity: auditEntityOf('health-record', task.recordId),
            sk: `${createdAt}#created#${envelope.taskId}`,
            action: 'created',
            actor: task.authoredBy,
            recordType: task.recordType,
            taskId: envelope.taskId,
            businessKey: envelope.businessKey,
            at: createdAt,
          },
        },
      },
    ],
    outcome,
    outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
    protectionOn,
    completion,
    conflictMessage: `record id ${task.recordId} already holds a different health record; submit a new record id`,
  });
  return result;
};

export const handler = createConsumer(healthRecord, storeHealthRecord);
