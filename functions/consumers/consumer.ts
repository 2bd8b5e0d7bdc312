import {
  processPartialResponse,
  SqsFifoMessageGroupShortCircuitError,
  SqsFifoPartialProcessorAsync,
  SqsFifoShortCircuitError,
} from '@aws-lambda-powertools/batch';
import type {
  BaseRecord,
  FailureResponse,
} from '@aws-lambda-powertools/batch/types';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
} from '@aws-sdk/client-sqs';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { dynamodbClient, requireEnv, sqsClient } from '../shared/aws-clients';
import { type TaskEnvelope, taskEnvelopeSchema } from '../shared/envelope';
import { PoisonMessageError } from '../shared/errors';
import { findUnstorableValue } from '../shared/json-limits';
import { logger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import { ENV, queueSettingsOf } from '../shared/resources';
import { safeParse } from '../shared/schema-messages';
import {
  businessKeyOf,
  type TaskClassDefinition,
} from '../shared/task-classes/definition';
import {
  idempotencyKeyPrefixOf,
  saveTaskOutcome,
  transitionTask,
} from '../shared/task-store';
import { sendToDeadLetterQueue } from './dead-letter';
import {
  type CompletionFold,
  FoldingPersistenceLayer,
} from './idempotency-store';

/** A task that passed every check, handed to a class's effect. */
export interface ValidTask<T> {
  readonly envelope: TaskEnvelope;
  readonly task: T;
  /** Whether consumer idempotency is on; only the chaos control turns it off. */
  readonly protectionOn: boolean;
  /** Completes the idempotency record inside the effect's transaction. */
  readonly completion?: CompletionFold;
}

/**
 * Applies a task's effect once and returns its result, which is stored with
 * the idempotency record and the task. An effect writes its items on the
 * condition that the business key has not been applied, so a crash before
 * the idempotency record completes cannot make a redelivery apply it twice.
 */
export type Effect<T> = (
  task: ValidTask<T>,
) => Promise<Record<string, unknown>>;

/** Margin added to a lock's expiry, so that the takeover condition finds it expired. */
const CLAIM_TAKEOVER_MARGIN_MS = 250;

/** Maximum visibility timeout that SQS accepts: 12 hours. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/**
 * Share of the function's timeout that an invocation keeps for the task
 * after waiting for a lock: notification's provider call alone may take
 * 3 s of its 5 s.
 */
const TASK_RESERVE_SHARE = 0.8;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Raised when the task's idempotency record is locked in progress until
 * `claimExpiresAtMs` by an attempt that stopped: a crash, a timeout, or a
 * failure whose cleanup did not reach DynamoDB.
 */
class ClaimHeldError extends Error {
  override readonly name = 'ClaimHeldError';

  constructor(
    readonly claimExpiresAtMs: number,
    options: ErrorOptions,
  ) {
    super(
      `idempotency record is in progress until ${new Date(claimExpiresAtMs).toISOString()}, locked by an earlier attempt`,
      options,
    );
  }

  /** Returns the milliseconds until an attempt may take the lock over. */
  msUntilTakeover(): number {
    return Math.max(
      this.claimExpiresAtMs - Date.now() + CLAIM_TAKEOVER_MARGIN_MS,
      0,
    );
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Parses and checks a record, raising PoisonMessageError when it cannot succeed. */
export const parseRecord = <T>(
  definition: TaskClassDefinition<T>,
  record: SQSRecord,
): { envelope: TaskEnvelope; task: T } => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new PoisonMessageError('message body is not valid JSON');
  }
  const unstorable = findUnstorableValue(body);
  if (unstorable) {
    throw new PoisonMessageError(
      `message body field "${unstorable.path}" ${unstorable.problem}`,
    );
  }
  const envelope = safeParse(taskEnvelopeSchema, body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new PoisonMessageError(
      `message body is not a task envelope: field "${issue?.path.join('.')}" ${issue?.message}`,
    );
  }
  if (envelope.data.class !== definition.name) {
    throw new PoisonMessageError(
      `message is a ${envelope.data.class} task on the ${definition.name} queue`,
    );
  }
  const task = safeParse(definition.schema, envelope.data.payload);
  if (!task.success) {
    const issue = task.error.issues[0];
    throw new PoisonMessageError(
      `task payload fails the ${definition.name} schema: field "${issue?.path.join('.')}" ${issue?.message}`,
    );
  }
  if (businessKeyOf(definition, task.data) !== envelope.data.businessKey) {
    throw new PoisonMessageError(
      'business key in the message does not match its payload',
    );
  }
  return { envelope: envelope.data, task: task.data };
};

/**
 * Processor that keeps FIFO order: after a record fails, the rest of its
 * message group is returned unprocessed. Those skipped records are made
 * visible again at once; SQS still keeps them back until the failed record
 * before them is received again, so their order is kept without their
 * waiting out the whole visibility timeout.
 */
class FifoProcessor extends SqsFifoPartialProcessorAsync {
  readonly skipped: SQSRecord[] = [];

  override failureHandler(
    record: BaseRecord,
    exception: Error,
  ): FailureResponse {
    if (
      exception instanceof SqsFifoMessageGroupShortCircuitError ||
      exception instanceof SqsFifoShortCircuitError
    ) {
      this.skipped.push(record as SQSRecord);
    }
    return super.failureHandler(record, exception);
  }
}

const releaseSkipped = async (records: SQSRecord[]): Promise<void> => {
  if (records.length === 0) {
    return;
  }
  try {
    await sqsClient.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: requireEnv(ENV.queueUrl),
        Entries: records.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  } catch (error) {
    logger.warn('skipped records wait for their visibility timeout', {
      count: records.length,
      error: error as Error,
    });
  }
};

/**
 * Builds the Lambda handler of one task class. It processes FIFO batches
 * with partial failures and Powertools idempotency keyed on the business
 * key. A failed record waits for the class's next backoff step, and a
 * record that cannot succeed or has used its retries goes to the
 * dead-letter queue with its reason.
 */
export const createConsumer = <T>(
  definition: TaskClassDefinition<T>,
  effect: Effect<T>,
) => {
  const protectionOn = process.env[ENV.protection] !== 'off';
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'envelope.businessKey',
    expiresAfterSeconds: definition.idempotencyTtlSeconds,
    // Powertools calls this only when it returns a stored result.
    responseHook: (response) => {
      logger.info('duplicate suppressed', { layer: 'consumer-idempotency' });
      countMetric(METRIC.duplicateSuppressed, definition.name, {
        layer: 'consumer-idempotency',
      });
      return response;
    },
  });
  const persistenceStore = new FoldingPersistenceLayer(
    definition.name,
    definition.idempotencyTtlSeconds,
    {
      tableName: requireEnv(ENV.idempotencyTable),
      awsSdkV3Client: dynamodbClient,
    },
  );
  const idempotentEffect = makeIdempotent(effect, {
    persistenceStore,
    config,
    keyPrefix: idempotencyKeyPrefixOf(definition.name),
  });
  const applyOnce = protectionOn ? idempotentEffect : effect;
  let remainingMs = (): number => 0;

  /**
   * Applies the task once. When a stopped attempt left the idempotency
   * record locked in progress, waits for the lock to expire and applies the
   * task again, because Powertools takes over an expired lock. Raises
   * ClaimHeldError when the invocation has no time left for that.
   */
  const applyPastHeldClaim = async (parsed: {
    envelope: TaskEnvelope;
    task: T;
  }): Promise<void> => {
    const apply = () =>
      applyOnce({
        ...parsed,
        protectionOn,
        completion: protectionOn
          ? persistenceStore.foldFor(parsed.envelope.businessKey)
          : undefined,
      });
    // Replaces Powertools' in-progress error with one that carries the expiry.
    const withExpiry = (error: unknown): unknown => {
      const expiresAtMs =
        error instanceof IdempotencyAlreadyInProgressError
          ? persistenceStore.heldClaimExpiryOf(parsed.envelope.businessKey)
          : undefined;
      return expiresAtMs === undefined
        ? error
        : new ClaimHeldError(expiresAtMs, { cause: error });
    };
    try {
      await apply();
    } catch (error) {
      const held = withExpiry(error);
      if (!(held instanceof ClaimHeldError)) {
        throw error;
      }
      const waitMs = held.msUntilTakeover();
      const reserveMs =
        definition.consumer.timeoutSeconds * 1000 * TASK_RESERVE_SHARE;
      if (waitMs > remainingMs() - reserveMs) {
        throw held;
      }
      logger.info("waiting for an earlier attempt's lock to expire", {
        waitMs,
      });
      await sleep(waitMs);
      try {
        await apply();
      } catch (again) {
        // Another attempt may have taken the task while this one waited.
        throw withExpiry(again);
      }
    }
  };

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    let envelope: TaskEnvelope | undefined;
    try {
      const parsed = parseRecord(definition, record);
      envelope = parsed.envelope;
      logger.appendKeys({ taskId: envelope.taskId, attempt });
      await applyPastHeldClaim(parsed);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        await deadLetter(definition, record, error.message, envelope);
        return;
      }
      // SQS delivers each message once more than its attempts, so a last
      // attempt that meets a lock can still wait for it on that delivery.
      const lockRetry =
        error instanceof ClaimHeldError &&
        attempt < queueSettingsOf(definition).maxReceiveCount;
      if (attempt > definition.retries && !lockRetry) {
        const reason = `failed after ${attempt} attempts: ${describe(error)}`;
        await deadLetter(definition, record, reason, envelope);
        return;
      }
      await scheduleRetry(definition, record, attempt, error, envelope);
      throw error;
    } finally {
      logger.removeKeys(['taskId', 'attempt']);
    }
  };

  return async (
    event: SQSEvent,
    context: Context,
  ): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    config.registerLambdaContext(context);
    remainingMs = () => context.getRemainingTimeInMillis();
    const processor = new FifoProcessor();
    const response = await processPartialResponse(
      event,
      processRecord,
      processor,
      {
        context,
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      },
    );
    await releaseSkipped(processor.skipped);
    return response;
  };
};

/**
 * Hides a failed record for the class's next backoff step; SQS delivers it
 * again when that delay ends.
 */
const scheduleRetry = async (
  definition: TaskClassDefinition<unknown>,
  record: SQSRecord,
  attempt: number,
  error: unknown,
  envelope: TaskEnvelope | undefined,
): Promise<void> => {
  const backoffSeconds =
    definition.backoffSeconds[attempt - 1] ??
    (definition.backoffSeconds.at(-1) as number);
  // A retry before the lock expires would meet the lock again.
  const delaySeconds =
    error instanceof ClaimHeldError
      ? Math.min(
          Math.max(backoffSeconds, Math.ceil(error.msUntilTakeover() / 1000)),
          MAX_VISIBILITY_TIMEOUT_SECONDS,
        )
      : backoffSeconds;
  countMetric(METRIC.retryScheduled, definition.name);
  logger.warn('retry scheduled', {
    taskClass: definition.name,
    messageId: record.messageId,
    attempt,
    maxAttempts: definition.retries + 1,
    delaySeconds,
    error: describe(error),
  });
  let nextAttemptAt: string | undefined;
  try {
    await sqsClient.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: requireEnv(ENV.queueUrl),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
    nextAttemptAt = new Date(Date.now() + delaySeconds * 1000).toISOString();
  } catch (visibilityError) {
    logger.warn(
      'backoff not applied; the record returns after the visibility timeout',
      {
        messageId: record.messageId,
        error: visibilityError as Error,
      },
    );
  }
  if (envelope) {
    await recordRetry(definition, envelope, attempt, error, nextAttemptAt);
  }
};

/**
 * Sets the task's status to `retrying` with the failure and the time of
 * the next attempt, so that callers and operators see the retry. Only a
 * task that is still `accepted` or `retrying` changes. The retry goes on
 * when the write fails, since the status is only a view of it.
 */
const recordRetry = async (
  definition: TaskClassDefinition<unknown>,
  envelope: TaskEnvelope,
  attempt: number,
  error: unknown,
  nextAttemptAt: string | undefined,
): Promise<void> => {
  try {
    await transitionTask({
      taskId: envelope.taskId,
      from: ['accepted', 'retrying'],
      to: 'retrying',
      reason: `attempt ${attempt} of ${definition.retries + 1} failed: ${describe(error)}`,
      nextAttemptAt,
    });
  } catch (statusError) {
    logger.warn('retry not recorded in the task status', {
      taskId: envelope.taskId,
      error: statusError as Error,
    });
  }
};

const deadLetter = async (
  definition: TaskClassDefinition<unknown>,
  record: SQSRecord,
  reason: string,
  envelope: TaskEnvelope | undefined,
): Promise<void> => {
  await sendToDeadLetterQueue(record, reason, envelope?.taskId);
  countMetric(METRIC.deadLettered, definition.name);
  logger.error('dead-lettered', {
    taskClass: definition.name,
    messageId: record.messageId,
    taskId: envelope?.taskId,
    reason,
  });
  if (envelope) {
    await saveTaskOutcome({
      taskId: envelope.taskId,
      className: definition.name,
      businessKey: envelope.businessKey,
      status: 'dead-lettered',
      reason,
    });
  }
};
