import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, requireEnv } from '../shared/aws-clients';
import { TaskNotFoundError } from '../shared/errors';
import { ENV } from '../shared/resources';
import {
  consumerIdempotencyIdOf,
  getTask,
  type TaskRecord,
  type TaskStatus,
} from '../shared/task-store';

/** The public view of a task; it never carries the task's payload. */
export interface TaskView {
  readonly taskId: string;
  readonly class: string;
  readonly status: TaskStatus;
  readonly acceptedAt?: string;
  readonly updatedAt?: string;
  readonly result?: Record<string, unknown>;
  readonly reason?: string;
  readonly nextAttemptAt?: string;
}

/**
 * Reports whether a consumer is processing the task now, from its
 * Powertools idempotency record, so that the status can report `processing`
 * without the consumer spending a write on it.
 */
export const isProcessing = async (
  className: string,
  businessKey: string,
): Promise<boolean> => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: requireEnv(ENV.idempotencyTable),
      Key: { id: consumerIdempotencyIdOf(className, businessKey) },
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item?.status === 'INPROGRESS';
};

/**
 * Reports whether a task that waits for its first or next attempt has been
 * claimed by a consumer, and so is `processing` now. Before a retry's
 * time, an in-progress record is the lock of the attempt that stopped,
 * not a running one.
 */
export const isProcessingNow = async (record: TaskRecord): Promise<boolean> => {
  const nextAttemptMs = Date.parse(record.nextAttemptAt ?? '');
  const retryPending =
    Number.isFinite(nextAttemptMs) && nextAttemptMs > Date.now();
  const waiting =
    record.status === 'accepted' ||
    (record.status === 'retrying' && !retryPending);
  return waiting && isProcessing(record.class, record.businessKey);
};

/**
 * Returns a task's status as the caller may see it. A task submitted only
 * by other callers is reported as not found, so task ids reveal nothing.
 */
export const readTask = async (
  taskId: string,
  caller: string,
): Promise<TaskView> => {
  const record = await getTask(taskId);
  if (!record?.callers?.has(caller)) {
    throw new TaskNotFoundError(taskId);
  }

  const status = (await isProcessingNow(record)) ? 'processing' : record.status;
  return {
    taskId: record.taskId,
    class: record.class,
    status,
    acceptedAt: record.acceptedAt,
    updatedAt: record.updatedAt,
    result: record.result,
    reason: record.reason,
    nextAttemptAt: status === 'retrying' ? record.nextAttemptAt : undefined,
  };
};
