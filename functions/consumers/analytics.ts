import { requireEnv } from '../shared/aws-clients';
import { ENV } from '../shared/resources';
import {
  type AnalyticsTask,
  analytics,
} from '../shared/task-classes/analytics';
import { taskOutcomeUpdate } from '../shared/task-store';
import { writeEffectOnce } from './conditional-effect';
import { createConsumer, type ValidTask } from './consumer';

export const counterPk = (name: string, entityId: string): string =>
  `COUNTER#${name}#${entityId}`;

/**
 * Adds an event to its counter. Duplicates would be tolerable for this
 * class, but a marker item per business key, written in the same
 * transaction, keeps the counters exact at the cost of one small item.
 */
export const countEvent = async ({
  envelope,
  task,
  protectionOn,
  completion,
}: ValidTask<AnalyticsTask>): Promise<Record<string, unknown>> => {
  const table = requireEnv(ENV.analyticsTable);
  const result = { outcome: 'counted' };
  const outcome = {
    taskId: envelope.taskId,
    className: analytics.name,
    businessKey: envelope.businessKey,
    status: 'completed' as const,
    result,
  };
  const expiry =
    Math.floor(Date.now() / 1000) + analytics.idempotencyTtlSeconds;

  await writeEffectOnce({
    claim: {
      Put: {
        TableName: table,
        Item: {
          pk: `APPLIED#${envelope.businessKey}`,
          businessKey: envelope.businessKey,
          ttl: expiry,
        },
      },
    },
    others: [
      {
        Update: {
          TableName: table,
          Key: { pk: counterPk(task.name, task.entityId) },
          UpdateExpression: 'ADD #count :one, #total :value',
          ExpressionAttributeNames: { '#count': 'count', '#total': 'total' },
          ExpressionAttributeValues: { ':one': 1, ':value': task.value ?? 0 },
        },
      },
    ],
    outcome,
    outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
    protectionOn,
    completion,
    conflictMessage: 'event marker holds a different business key',
  });
  return result;
};

export const handler = createConsumer(analytics, countEvent);
