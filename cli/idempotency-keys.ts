import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, requireEnv } from '../functions/shared/aws-clients';
import { ENV } from '../functions/shared/resources';
import type { TaskClassDefinition } from '../functions/shared/task-classes';
import { consumerIdempotencyIdOf } from '../functions/shared/task-store';
import { cancellationOf } from '../functions/shared/transactions';
import { NotFoundError, StateConflictError } from './errors';
import { isoTimeOf } from './output';
import {
  auditEntityOfTask,
  auditEntryPut,
  type OverrideContext,
} from './overrides';
import { requireTaskOfClass } from './task-lookup';

/** Status a Powertools idempotency record can have. */
export type KeyStatus = 'INPROGRESS' | 'COMPLETED' | 'EXPIRED';

/** A consumer's Powertools idempotency record, as an operator sees it. */
export interface KeyView {
  readonly className: string;
  readonly taskId: string;
  readonly businessKey: string;
  /** Record id: the key prefix and a hash of the business key. */
  readonly id: string;
  readonly status: KeyStatus;
  /** When the record expires and stops suppressing repeats, ISO 8601. */
  readonly expiresAt?: string;
  /**
   * Whether the expiry has passed. Powertools ignores such a record, but
   * DynamoDB TTL may delete it only days later.
   */
  readonly expired: boolean;
  /** When an INPROGRESS lock lapses and another attempt may take over. */
  readonly inProgressExpiresAt?: string;
  /** Stored result of a completed task. */
  readonly result?: unknown;
}

interface StoredKey {
  readonly id: string;
  readonly status: KeyStatus;
  /** Epoch seconds. */
  readonly expiration?: number;
  /** Epoch milliseconds. */
  readonly in_progress_expiration?: number;
  readonly data?: unknown;
}

const idempotencyTable = (): string => requireEnv(ENV.idempotencyTable);

/**
 * Reads the consumer's idempotency record of a task, found through the
 * business key in the task's record.
 * @throws NotFoundError when the task or its record does not exist
 */
export const readKey = async (
  definition: TaskClassDefinition<unknown>,
  taskId: string,
): Promise<KeyView> => {
  const task = await requireTaskOfClass(definition, taskId);
  const id = consumerIdempotencyIdOf(definition.name, task.businessKey);
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: idempotencyTable(),
      Key: { id },
      ConsistentRead: true,
    }),
  );
  if (!Item) {
    throw new NotFoundError(
      `task "${taskId}" has no idempotency record (${id}): no consumer has claimed it yet, or the record was released or expired; run "ekbar status ${taskId}"`,
    );
  }
  const stored = Item as StoredKey;
  return {
    className: definition.name,
    taskId,
    businessKey: task.businessKey,
    id,
    status: stored.status,
    expiresAt: isoTimeOf(stored.expiration, 'seconds'),
    expired:
      stored.expiration !== undefined && stored.expiration * 1000 < Date.now(),
    inProgressExpiresAt: isoTimeOf(
      stored.in_progress_expiration,
      'milliseconds',
    ),
    result: stored.data,
  };
};

/**
 * Deletes a stuck INPROGRESS idempotency record so that the next delivery
 * of the task runs it again, and writes the audit entry in the same
 * transaction. The delete is conditional on the status, so a record that
 * completed meanwhile is kept. The effect guard still stops a second
 * effect if the task did take effect before its consumer stopped.
 * @throws NotFoundError when the task or its record does not exist
 * @throws StateConflictError when the record is not INPROGRESS
 */
export const releaseKey = async (
  definition: TaskClassDefinition<unknown>,
  taskId: string,
  context: OverrideContext,
): Promise<KeyView> => {
  const key = await readKey(definition, taskId);
  if (key.status !== 'INPROGRESS') {
    throw new StateConflictError(
      `the idempotency record of task "${taskId}" is ${key.status}, not INPROGRESS, so it was not released: a completed record is what stops the task from taking effect twice`,
    );
  }

  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: idempotencyTable(),
              Key: { id: key.id },
              ConditionExpression: '#status = :inProgress',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':inProgress': 'INPROGRESS' },
            },
          },
          {
            Put: auditEntryPut({
              ...context,
              entity: auditEntityOfTask(definition, key.businessKey, taskId),
              action: 'release',
              className: definition.name,
              taskId,
            }),
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationOf(error)?.codes[0] === 'ConditionalCheckFailed') {
      throw new StateConflictError(
        `the idempotency record of task "${taskId}" changed while it was being released (it completed or was deleted); nothing was written. Run "ekbar keys show ${definition.name} ${taskId}"`,
      );
    }
    throw error;
  }
  return key;
};
