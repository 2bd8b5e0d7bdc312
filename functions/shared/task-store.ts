import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, requireEnv } from './aws-clients';
import { ENV } from './resources';

export type TaskStatus =
  | 'accepted'
  | 'processing'
  | 'retrying'
  | 'completed'
  | 'held-for-review'
  | 'dead-lettered'
  | 'discarded';

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
  /** While `retrying`: when SQS delivers the task again, ISO 8601. */
  readonly nextAttemptAt?: string;
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
  readonly status: Exclude<
    TaskStatus,
    'accepted' | 'processing' | 'retrying' | 'discarded'
  >;
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
  // Drops the reason and retry time that a failed attempt may have left.
  const removes = ['nextAttemptAt'];
  if (outcome.reason === undefined) {
    removes.push('reason');
  } else {
    sets.push('reason = :reason');
    values[':reason'] = outcome.reason;
  }
  return {
    TableName: tasksTableName(),
    Key: { pk: taskPk(outcome.taskId) },
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

/** Records a task's outcome on its own, outside any transaction. */
export const saveTaskOutcome = async (outcome: TaskOutcome): Promise<void> => {
  await documentClient.send(new UpdateCommand(taskOutcomeUpdate(outcome)));
};

/** A status change that applies only while the task is in one of `from`. */
export interface TaskTransition {
  readonly taskId: string;
  readonly from: readonly TaskStatus[];
  readonly to: TaskStatus;
  /** Replaces the reason; without one, the reason is removed. */
  readonly reason?: string;
  readonly nextAttemptAt?: string;
}

/**
 * Moves an existing task to another status if its status is one of
 * `from`. Returns the record as it was before, or undefined when the task
 * is missing or in another status, so a task that completed in the
 * meantime keeps its final status.
 */
export const transitionTask = async (
  transition: TaskTransition,
): Promise<TaskRecord | undefined> => {
  const values: Record<string, unknown> = {
    ':to': transition.to,
    ':now': new Date().toISOString(),
  };
  transition.from.forEach((status, index) => {
    values[`:from${index}`] = status;
  });
  const sets = ['#status = :to', 'updatedAt = :now'];
  const removes: string[] = [];
  for (const field of ['reason', 'nextAttemptAt'] as const) {
    const value = transition[field];
    if (value === undefined) {
      removes.push(field);
    } else {
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const fromList = transition.from.map((_, index) => `:from${index}`);
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tasksTableName(),
        Key: { pk: taskPk(transition.taskId) },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${fromList.join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes as TaskRecord | undefined;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      return undefined;
    }
    throw error;
  }
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
