import type { TaskClassDefinition } from '../../functions/shared/task-classes';
import type { RequestType, Service } from './request-log';
import type { RequestSummary } from './results';

/** One request that the design needs, and why it cannot be dropped. */
export interface FloorRequest {
  readonly service: Service;
  readonly operation: string;
  readonly type: RequestType;
  /** Items written; a transaction bills two write units per item. */
  readonly items: number;
  /** Requests per task: below 1 for a request shared by a batch. */
  readonly perTask: number;
  readonly reason: string;
}

const dynamodb = (
  operation: string,
  type: RequestType,
  items: number,
  reason: string,
): FloorRequest => ({
  service: 'dynamodb',
  operation,
  type,
  items,
  perTask: 1,
  reason,
});

/** Floor of ingest for a new request. */
export const INGEST_NEW_FLOOR: readonly FloorRequest[] = [
  dynamodb(
    'TransactWriteItems',
    'transaction',
    2,
    'claims the Idempotency-Key and the business key in one conditional write, so a repeated key and a repeated task are both caught atomically',
  ),
  {
    service: 'sqs',
    operation: 'SendMessage',
    type: 'send',
    items: 1,
    perTask: 1,
    reason:
      'puts the task on its FIFO queue, with the business key as deduplication id',
  },
  dynamodb(
    'TransactWriteItems',
    'transaction',
    2,
    'stores the response for replays and marks the task enqueued, only after SQS took the message; writing it with the claim would let a crash before the send replay a 202 for a task that was never queued',
  ),
];

/** Floor of ingest for a replayed request. */
export const INGEST_REPLAY_FLOOR: readonly FloorRequest[] = [
  dynamodb(
    'TransactWriteItems',
    'transaction',
    2,
    'the failed claim returns the stored record (ReturnValuesOnConditionCheckFailure), so the replay needs no separate read',
  ),
];

/**
 * Items that each class's effect transaction writes besides the task
 * outcome and the Powertools completion. A notification's effect is an
 * HTTP call, so its transaction holds only those two.
 */
const EFFECT_ITEMS: Readonly<Record<string, readonly string[]>> = {
  payment: ['payment claim', 'debit entry', 'credit entry'],
  'health-record': ['record', 'audit entry'],
  notification: [],
  analytics: ['event marker', 'counter'],
};

const eventSourceFloor = (batchSize: number): FloorRequest[] => [
  {
    service: 'sqs',
    operation: 'ReceiveMessage',
    type: 'receive',
    items: 1,
    perTask: 1 / batchSize,
    reason: 'the event source mapping receives one batch',
  },
  {
    service: 'sqs',
    operation: 'DeleteMessageBatch',
    type: 'delete',
    items: batchSize,
    perTask: 1 / batchSize,
    reason: 'the event source mapping deletes the batch after success',
  },
];

const CLAIM_REASON =
  'Powertools claims the business key with a conditional write before the effect, so a concurrent or later delivery of the task stops there';

/** Floor of a consumer for a new task of one class. */
export const consumerNewFloor = (
  definition: TaskClassDefinition<unknown>,
): FloorRequest[] => {
  const effect = EFFECT_ITEMS[definition.name];
  if (!effect) {
    throw new Error(
      `no request floor for class "${definition.name}"; add its effect items to EFFECT_ITEMS in scripts/bench/floor.ts`,
    );
  }
  const written = [...effect, 'the task outcome', 'the Powertools completion'];
  return [
    ...eventSourceFloor(definition.consumer.batchSize),
    dynamodb('PutItem', 'write', 1, CLAIM_REASON),
    dynamodb(
      'TransactWriteItems',
      'transaction',
      written.length,
      `writes ${written.join(', ')} in one transaction, so the effect and its completion cannot part`,
    ),
  ];
};

/** Floor of a consumer for a duplicate delivery of one class. */
export const consumerDuplicateFloor = (
  definition: TaskClassDefinition<unknown>,
): FloorRequest[] => [
  ...eventSourceFloor(definition.consumer.batchSize),
  dynamodb(
    'PutItem',
    'write',
    1,
    'the failed claim returns the completed record and its result, so Powertools answers without a read',
  ),
];

/** Sums floor requests into the shape of a measured summary. */
export const summarizeFloor = (
  requests: readonly FloorRequest[],
): RequestSummary => {
  const count = (type: RequestType) =>
    requests
      .filter((request) => request.type === type)
      .reduce((sum, request) => sum + request.perTask, 0);
  const items = (type: RequestType) =>
    requests
      .filter((request) => request.type === type)
      .reduce((sum, request) => sum + request.items * request.perTask, 0);
  const operations: Record<string, number> = {};
  for (const request of requests) {
    const name = `${request.service} ${request.operation}`;
    operations[name] = (operations[name] ?? 0) + request.perTask;
  }
  return {
    tasks: 1,
    dynamodb: {
      read: count('read'),
      write: count('write'),
      transaction: count('transaction'),
    },
    sqs: {
      send: count('send'),
      receive: count('receive'),
      delete: count('delete'),
      visibility: count('visibility'),
    },
    writeItems: items('write'),
    transactionItems: items('transaction'),
    readItems: items('read'),
    retries: 0,
    operations,
  };
};
