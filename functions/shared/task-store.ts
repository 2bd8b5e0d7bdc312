import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, requireEnv } from './aws-clients';
import { ENV } from './resources';

export type TaskStatus =
  | 'accepted'
  | 'processing'
  | 'completed'
  | 'held-for-review'
  | 'dead-lettered';

/** A task's status record in the tasks table. */
export interface TaskRecord {
  readonly pk: string;
  readonly taskId: string;
  readonly class: string;
  readonly businessKey: string;
  readonly status: TaskStatus;
  /** Whether ingest confirmed that SQS accepted the message. */
  readonly enqueued?: boolean;
  /** Callers that submitted this task; only they may read it. */
  readonly callers?: Set<string>;
  readonly acceptedAt?: string;
  readonly updatedAt?: string;
  readonly result?: Record<string, unknown>;
  readonly reason?: string;
  /** Expiry in epoch seconds. */
  readonly ttl?: number;
}

export const taskPk = (taskId: string): string => `TASK#${taskId}`;

export const tasksTableName = (): string => requireEnv(ENV.tasksTable);

/** Returns the task record, or undefined when there is none. */
export const getTask = async (
  taskId: string,
): Promise<TaskRecord | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tasksTableName(),
      Key: { pk: taskPk(taskId) },
    }),
  );
  return Item as TaskRecord | undefined;
};

/** Fields a consumer writes when a task reaches a final status. */
export interface TaskOutcome {
  readonly taskId: string;
  readonly className: string;
  readonly businessKey: string;
  readonly status: Exclude<TaskStatus, 'accepted' | 'processing'>;
  readonly result?: Record<string, unknown>;
  readonly reason?: string;
}

/**
 * Builds the update that records a task's outcome, for use alone or inside
 * a transaction with the effect. It creates the record when a message
 * arrived without passing through the API.
 */
export const taskOutcomeUpdate = (outcome: TaskOutcome) => {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':status': outcome.status,
    ':now': new Date().toISOString(),
    ':taskId': outcome.taskId,
    ':class': outcome.className,
    ':businessKey': outcome.businessKey,
  };
  const sets = [
    '#status = :status',
    'updatedAt = :now',
    'taskId = :taskId',
    '#class = :class',
    'businessKey = :businessKey',
  ];
  names['#class'] = 'class';
  if (outcome.result !== undefined) {
    sets.push('#result = :result');
    names['#result'] = 'result';
    values[':result'] = outcome.result;
  }
  if (outcome.reason !== undefined) {
    sets.push('reason = :reason');
    values[':reason'] = outcome.reason;
  }
  return {
    TableName: tasksTableName(),
    Key: { pk: taskPk(outcome.taskId) },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

/** Records a task's outcome on its own, outside any transaction. */
export const saveTaskOutcome = async (outcome: TaskOutcome): Promise<void> => {
  await documentClient.send(new UpdateCommand(taskOutcomeUpdate(outcome)));
};

/** Powertools idempotency key prefix of a class's consumer. */
export const idempotencyKeyPrefixOf = (className: string): string =>
  `ekbar-${className}`;

/**
 * Returns the id of a consumer's Powertools idempotency record for a
 * business key. It repeats how Powertools 2.x hashes the selected payload
 * (MD5, base64, of the JSON text); a unit test checks that both agree.
 */
export const consumerIdempotencyIdOf = (
  className: string,
  businessKey: string,
): string =>
  `${idempotencyKeyPrefixOf(className)}#${createHash('md5')
    .update(JSON.stringify(businessKey))
    .digest('base64')}`;
