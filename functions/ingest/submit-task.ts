import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod/mini';
import { documentClient, requireEnv, sqsClient } from '../shared/aws-clients';
import { canonicalJson, sha256Hex, taskIdFor } from '../shared/business-key';
import { type TaskEnvelope, toSqsJson } from '../shared/envelope';
import {
  DependencyUnavailableError,
  RequestInProgressError,
  RequestValidationError,
} from '../shared/errors';
import { logger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import { ENV, queueUrlEnvOf } from '../shared/resources';
import { safeParse } from '../shared/schema-messages';
import {
  businessKeyOf,
  messageGroupIdOf,
  type TaskClassDefinition,
} from '../shared/task-classes';
import { type TaskRecord, taskPk, tasksTableName } from '../shared/task-store';
import { cancellationOf } from '../shared/transactions';
import {
  CLAIMABLE_KEY_CONDITION,
  KEY_LOCK_MS,
  type KeyRecord,
  keyRecordPk,
  replayOrReject,
  type StoredResponse,
} from './api-idempotency';

/** The API response to a submission. */
export interface SubmitResult extends StoredResponse {
  /** Whether the response is a stored one, replayed for a repeated key. */
  readonly replayed: boolean;
  /** Whether the task already existed under another key or no key. */
  readonly existingTask: boolean;
}

/** A validated submission, ready to store and enqueue. */
interface Submission {
  readonly definition: TaskClassDefinition<unknown>;
  readonly caller: string;
  readonly idempotencyKey: string | undefined;
  readonly task: unknown;
  readonly businessKey: string;
  readonly taskId: string;
  readonly requestHash: string;
  readonly statusUrlOf: (taskId: string) => string;
  readonly now: Date;
}

const fieldOf = (issue: z.core.$ZodIssue): string =>
  issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';

/** Issues that one 400 response lists, so a caller can fix several at once. */
const MAX_LISTED_ISSUES = 5;

const describeIssue = (issue: z.core.$ZodIssue): string =>
  `field "${fieldOf(issue)}" ${issue.message}`;

/** Validates the body against the class schema, naming each field at fault. */
const validateTask = (
  definition: TaskClassDefinition<unknown>,
  body: unknown,
): unknown => {
  const parsed = safeParse(definition.schema, body);
  if (parsed.success) {
    return parsed.data;
  }
  const issues = parsed.error.issues as z.core.$ZodIssue[];
  const unknown = issues.find(
    (issue): issue is z.core.$ZodIssueUnrecognizedKeys =>
      issue.code === 'unrecognized_keys',
  );
  if (unknown) {
    const keys = unknown.keys.map((key) => `"${key}"`).join(', ');
    throw new RequestValidationError(
      `unknown field ${keys} in a ${definition.name} task; remove it or check its spelling`,
      unknown.keys[0] ?? 'body',
    );
  }
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map(describeIssue);
  const more = issues.length - listed.length;
  throw new RequestValidationError(
    `${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    fieldOf(issues[0] as z.core.$ZodIssue),
  );
};

const acceptedResponse = (
  submission: Submission,
  taskId: string,
  status: string,
): StoredResponse => ({
  statusCode: 202,
  body: JSON.stringify({
    taskId,
    class: submission.definition.name,
    status,
    statusUrl: submission.statusUrlOf(taskId),
  }),
});

const newTaskRecord = (submission: Submission): TaskRecord => ({
  pk: taskPk(submission.taskId),
  taskId: submission.taskId,
  class: submission.definition.name,
  businessKey: submission.businessKey,
  status: 'accepted',
  enqueued: false,
  callers: new Set([submission.caller]),
  acceptedAt: submission.now.toISOString(),
  updatedAt: submission.now.toISOString(),
  ttl: expiryOf(submission),
});

const expiryOf = (submission: Submission): number =>
  Math.floor(submission.now.getTime() / 1000) +
  submission.definition.idempotencyTtlSeconds;

/**
 * Sends the task to its class queue. The deduplication id is the business
 * key, so sending the same task again within five minutes adds nothing.
 */
const enqueue = async (
  submission: Submission,
  record: Pick<TaskRecord, 'taskId' | 'businessKey' | 'acceptedAt'>,
): Promise<void> => {
  const envelope: TaskEnvelope = {
    taskId: record.taskId,
    class: submission.definition.name,
    businessKey: record.businessKey,
    acceptedAt: record.acceptedAt ?? submission.now.toISOString(),
    payload: submission.task,
  };
  const unprotected = process.env[ENV.protection] === 'off';
  try {
    await sqsClient.send(
      new SendMessageCommand({
        QueueUrl: requireEnv(queueUrlEnvOf(submission.definition.name)),
        MessageBody: toSqsJson(envelope),
        MessageGroupId: messageGroupIdOf(
          submission.definition,
          submission.task,
        ),
        MessageDeduplicationId: unprotected ? randomUUID() : record.businessKey,
      }),
    );
  } catch (error) {
    logger.error('enqueue failed', {
      taskId: record.taskId,
      taskClass: submission.definition.name,
      error: error as Error,
    });
    throw new DependencyUnavailableError(
      'the task queue is unavailable; retry the request with the same Idempotency-Key',
      { cause: error },
    );
  }
};

const nowValues = (submission: Submission) => ({
  ':nowMs': submission.now.getTime(),
  ':nowSeconds': Math.floor(submission.now.getTime() / 1000),
});

/** Builds a submission from a validated request. */
export const prepareSubmission = (input: {
  definition: TaskClassDefinition<unknown>;
  caller: string;
  idempotencyKey: string | undefined;
  body: unknown;
  statusUrlOf: (taskId: string) => string;
}): Submission => {
  const task = validateTask(input.definition, input.body);
  const businessKey = businessKeyOf(input.definition, task);
  const taskId = taskIdFor(businessKey);
  return {
    definition: input.definition,
    caller: input.caller,
    idempotencyKey: input.idempotencyKey,
    task,
    businessKey,
    taskId,
    requestHash: sha256Hex(
      canonicalJson({ class: input.definition.name, body: task }),
    ),
    statusUrlOf: input.statusUrlOf,
    now: new Date(),
  };
};

/**
 * Accepts a task: claims the caller's Idempotency-Key and the business key
 * in one transaction, sends the message, then records the response with a
 * second transaction. A new request therefore costs two DynamoDB requests
 * and one SQS send; a replay costs one DynamoDB request.
 */
export const submitTask = async (
  submission: Submission,
): Promise<SubmitResult> => {
  if (submission.idempotencyKey === undefined) {
    return submitWithoutKey(submission);
  }
  const keyPk = keyRecordPk(submission.caller, submission.idempotencyKey);
  const table = tasksTableName();
  const keyRecord: KeyRecord = {
    pk: keyPk,
    requestHash: submission.requestHash,
    status: 'in-progress',
    lockedUntil: submission.now.getTime() + KEY_LOCK_MS,
    taskId: submission.taskId,
    ttl: expiryOf(submission),
  };
  const record = newTaskRecord(submission);

  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: keyRecord,
              ConditionExpression: CLAIMABLE_KEY_CONDITION,
              ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':inProgress': 'in-progress',
                ...nowValues(submission),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: table,
              Item: record,
              ConditionExpression:
                'attribute_not_exists(pk) OR #ttl < :nowSeconds',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':nowSeconds': nowValues(submission)[':nowSeconds'],
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
  } catch (error) {
    return resolveClaimConflict(submission, error);
  }

  try {
    await enqueue(submission, record);
  } catch (error) {
    await releaseKey(submission, keyPk);
    throw error;
  }

  const response = acceptedResponse(submission, submission.taskId, 'accepted');
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table,
            Key: { pk: keyPk },
            UpdateExpression: 'SET #status = :completed, #response = :response',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#response': 'response',
            },
            ExpressionAttributeValues: {
              ':completed': 'completed',
              ':response': response,
            },
          },
        },
        {
          Update: {
            TableName: table,
            Key: { pk: record.pk },
            UpdateExpression: 'SET enqueued = :true',
            ExpressionAttributeValues: { ':true': true },
          },
        },
      ],
    }),
  );
  logger.info('task accepted', logContext(submission));
  countMetric(METRIC.accepted, submission.definition.name);
  return { ...response, replayed: false, existingTask: false };
};

const logContext = (submission: Submission) => ({
  taskId: submission.taskId,
  taskClass: submission.definition.name,
  businessKey: submission.businessKey,
});

/** Handles a cancelled claim: a repeated key or an existing task. */
const resolveClaimConflict = async (
  submission: Submission,
  error: unknown,
): Promise<SubmitResult> => {
  const cancellation = cancellationOf(error);
  if (!cancellation) {
    throw error;
  }
  const [keyCode, taskCode] = cancellation.codes;
  if (keyCode === 'ConditionalCheckFailed') {
    const record = await storedItem<KeyRecord>(
      cancellation.items[0],
      keyRecordPk(submission.caller, submission.idempotencyKey as string),
    );
    const stored = replayOrReject(record, submission.requestHash);
    logger.info('duplicate suppressed', {
      ...logContext(submission),
      layer: 'api-replay',
    });
    countMetric(METRIC.duplicateSuppressed, submission.definition.name, {
      layer: 'api-replay',
    });
    return { ...stored, replayed: true, existingTask: false };
  }
  if (cancellation.codes.includes('TransactionConflict')) {
    throw new RequestInProgressError(
      'another request for this task is being handled; retry it after the Retry-After delay',
      { cause: error },
    );
  }
  if (taskCode === 'ConditionalCheckFailed') {
    const existing = await storedItem<TaskRecord>(
      cancellation.items[1],
      taskPk(submission.taskId),
    );
    return attachToExistingTask(submission, existing);
  }
  throw error;
};

/**
 * Returns the item that failed a transaction's condition. DynamoDB returns
 * it with the cancellation, but moto 5 sometimes omits it when transactions
 * run concurrently, so it is read again when missing. An item that is
 * gone by then belongs to a request that is still being decided.
 */
const storedItem = async <T>(
  returned: Record<string, unknown> | undefined,
  pk: string,
): Promise<T> => {
  if (returned) {
    return returned as T;
  }
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tasksTableName(),
      Key: { pk },
      ConsistentRead: true,
    }),
  );
  if (!Item) {
    throw new RequestInProgressError(
      'another request for this task is being handled; retry it after the Retry-After delay',
    );
  }
  return Item as T;
};

/**
 * Returns the existing task to a request for a business task that already
 * exists under another key, and sends it again if its first request stopped
 * before SQS confirmed it. Queue deduplication and consumer idempotency
 * make that second send harmless.
 */
const attachToExistingTask = async (
  submission: Submission,
  existing: TaskRecord,
): Promise<SubmitResult> => {
  if (existing.enqueued !== true) {
    await enqueue(submission, existing);
  }
  const response = acceptedResponse(
    submission,
    existing.taskId,
    existing.status,
  );
  const table = tasksTableName();
  const keyPk = keyRecordPk(
    submission.caller,
    submission.idempotencyKey as string,
  );
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: {
                pk: keyPk,
                requestHash: submission.requestHash,
                status: 'completed',
                lockedUntil: submission.now.getTime(),
                taskId: existing.taskId,
                response,
                ttl: expiryOf(submission),
              } satisfies KeyRecord,
              ConditionExpression: CLAIMABLE_KEY_CONDITION,
              ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':inProgress': 'in-progress',
                ...nowValues(submission),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Update: existingTaskUpdate(existing, submission.caller),
          },
        ],
      }),
    );
  } catch (error) {
    return resolveClaimConflict(submission, error);
  }
  logger.info('duplicate suppressed', {
    ...logContext(submission),
    existingTaskId: existing.taskId,
    layer: 'ingest-business-key',
  });
  countMetric(METRIC.duplicateSuppressed, submission.definition.name, {
    layer: 'ingest-business-key',
  });
  return { ...response, replayed: false, existingTask: true };
};

const existingTaskUpdate = (existing: TaskRecord, caller: string) => ({
  TableName: tasksTableName(),
  Key: { pk: existing.pk },
  UpdateExpression: 'ADD callers :caller SET enqueued = :true',
  ExpressionAttributeValues: { ':caller': new Set([caller]), ':true': true },
});

/** Accepts a task sent without an Idempotency-Key: business key only. */
const submitWithoutKey = async (
  submission: Submission,
): Promise<SubmitResult> => {
  const record = newTaskRecord(submission);
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tasksTableName(),
        Item: record,
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :nowSeconds',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':nowSeconds': nowValues(submission)[':nowSeconds'],
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    const existing = (error as { Item?: Record<string, unknown> }).Item;
    if (
      (error as Error).name !== 'ConditionalCheckFailedException' ||
      !existing
    ) {
      throw error;
    }
    const existingTask = unmarshall(existing as never) as TaskRecord;
    if (existingTask.enqueued !== true) {
      await enqueue(submission, existingTask);
    }
    await documentClient.send(
      new UpdateCommand(existingTaskUpdate(existingTask, submission.caller)),
    );
    logger.info('duplicate suppressed', {
      ...logContext(submission),
      existingTaskId: existingTask.taskId,
      layer: 'ingest-business-key',
    });
    countMetric(METRIC.duplicateSuppressed, submission.definition.name, {
      layer: 'ingest-business-key',
    });
    const response = acceptedResponse(
      submission,
      existingTask.taskId,
      existingTask.status,
    );
    return { ...response, replayed: false, existingTask: true };
  }

  await enqueue(submission, record);
  await documentClient.send(
    new UpdateCommand({
      TableName: tasksTableName(),
      Key: { pk: record.pk },
      UpdateExpression: 'SET enqueued = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
  logger.info('task accepted', logContext(submission));
  countMetric(METRIC.accepted, submission.definition.name);
  const response = acceptedResponse(submission, submission.taskId, 'accepted');
  return { ...response, replayed: false, existingTask: false };
};

/**
 * Frees the caller's key after a failed send so that a retry with the same
 * key goes through at once instead of waiting for the lock to expire.
 */
const releaseKey = async (
  submission: Submission,
  keyPk: string,
): Promise<void> => {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: tasksTableName(),
        Key: { pk: keyPk },
        ConditionExpression: '#status = :inProgress AND requestHash = :hash',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':inProgress': 'in-progress',
          ':hash': submission.requestHash,
        },
      }),
    );
  } catch (error) {
    logger.warn('key release failed; the lock expires on its own', {
      ...logContext(submission),
      error: error as Error,
    });
  }
};
