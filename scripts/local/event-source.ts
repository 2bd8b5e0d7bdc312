import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { localRegion } from './lambda-environment';
import { localLogger } from './local-logger';
import { failedMessageIdsOf, sqsEventOf } from './sqs-event';

/** Pollers per queue unless configured. */
export const DEFAULT_POLLERS = 2;

/** Seconds each ReceiveMessage waits for messages unless configured. */
export const DEFAULT_WAIT_TIME_SECONDS = 2;

/** Milliseconds between receive attempts after an error, doubling to the cap. */
const RECEIVE_RETRY_FIRST_MS = 500;
const RECEIVE_RETRY_MAX_MS = 10_000;

export interface EventSourceOptions {
  /** Name of the consumer function, for log lines. */
  readonly functionName: string;
  readonly queueUrl: string;
  /** Maximum records per invocation, 1 to 10. */
  readonly batchSize: number;
  /** Runs the consumer; a rejection means the whole batch failed. */
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  /** Concurrent receive loops, each with at most one batch in flight. @default 2 */
  readonly pollers?: number;
  /** Long poll of each ReceiveMessage, 0 to 20 seconds. @default 2 */
  readonly waitTimeSeconds?: number;
  /** @default a client for AWS_ENDPOINT_URL */
  readonly sqs?: SQSClient;
  readonly logger?: Logger;
}

/** Counters of what an event source did since it started. */
export interface EventSourceStats {
  /** Batches passed to the consumer. */
  batches: number;
  /** Invocations that threw, timed out or lost their process. */
  failedInvocations: number;
  /** Responses that failed the whole batch, such as an unknown itemIdentifier. */
  invalidResponses: number;
  /** Messages deleted after success. */
  deleted: number;
  /** Messages left in the queue to be received again. */
  retained: number;
}

const validateOptions = (options: EventSourceOptions): void => {
  const { batchSize, pollers, waitTimeSeconds, functionName } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new RangeError(
      `batchSize of ${functionName} must be an integer from 1 to 10, got ${batchSize}`,
    );
  }
  if (pollers !== undefined && (!Number.isInteger(pollers) || pollers < 1)) {
    throw new RangeError(
      `pollers of ${functionName} must be an integer of at least 1, got ${pollers}`,
    );
  }
  if (
    waitTimeSeconds !== undefined &&
    (!Number.isInteger(waitTimeSeconds) ||
      waitTimeSeconds < 0 ||
      waitTimeSeconds > 20)
  ) {
    throw new RangeError(
      `waitTimeSeconds of ${functionName} must be an integer from 0 to 20, got ${waitTimeSeconds}`,
    );
  }
};

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Local stand-in for a Lambda event source mapping on an SQS queue with
 * ReportBatchItemFailures. Each poller receives up to `batchSize` messages,
 * invokes the consumer with a Lambda SQS event and deletes the records the
 * response does not list as failed. After a failed invocation or an invalid
 * response it deletes nothing, so SQS delivers the messages again after
 * their visibility timeout and moves them to the dead-letter queue after
 * `maxReceiveCount` receives. It never changes message visibility itself.
 *
 * NOTE: moto 5.2.1 breaks FIFO order on redelivery. When several messages
 * of one group were received together and become visible again, it returns
 * only the last of them, on every receive, until that one is deleted or
 * dead-lettered. AWS returns the group's messages in order.
 */
export class SqsEventSource {
  readonly stats: EventSourceStats = {
    batches: 0,
    failedInvocations: 0,
    invalidResponses: 0,
    deleted: 0,
    retained: 0,
  };
  private readonly options: EventSourceOptions;
  private readonly sqs: SQSClient;
  private readonly logger: Logger;
  private readonly controller = new AbortController();
  private loops: Promise<void>[] = [];
  private queueArn = '';

  constructor(options: EventSourceOptions) {
    validateOptions(options);
    this.options = options;
    this.sqs = options.sqs ?? new SQSClient({});
    this.logger = options.logger ?? localLogger;
  }

  /** Looks up the queue ARN and starts the pollers. */
  async start(): Promise<void> {
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ['QueueArn'],
      }),
    );
    this.queueArn = Attributes?.QueueArn ?? '';
    const pollers = this.options.pollers ?? DEFAULT_POLLERS;
    this.loops = Array.from({ length: pollers }, () => this.poll());
    this.logger.info('event source started', {
      functionName: this.options.functionName,
      queueArn: this.queueArn,
      pollers,
      batchSize: this.options.batchSize,
    });
  }

  /**
   * Stops receiving and resolves when every poller has finished its current
   * batch, which a consumer's timeout bounds.
   */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
  }

  private async poll(): Promise<void> {
    const { signal } = this.controller;
    let retryMs = RECEIVE_RETRY_FIRST_MS;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.receive(signal);
        retryMs = RECEIVE_RETRY_FIRST_MS;
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        this.logger.error('receive failed; retrying', {
          functionName: this.options.functionName,
          retryInMs: retryMs,
          error: error as Error,
        });
        await sleep(retryMs, signal);
        retryMs = Math.min(retryMs * 2, RECEIVE_RETRY_MAX_MS);
        continue;
      }
      if (messages.length > 0) {
        await this.processBatch(messages);
      }
    }
  }

  private async receive(signal: AbortSignal): Promise<Message[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: this.options.batchSize,
        WaitTimeSeconds:
          this.options.waitTimeSeconds ?? DEFAULT_WAIT_TIME_SECONDS,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return Messages ?? [];
  }

  private async processBatch(messages: Message[]): Promise<void> {
    const { functionName } = this.options;
    const event = sqsEventOf(messages, this.queueArn, localRegion());
    this.stats.batches += 1;

    let response: unknown;
    try {
      response = await this.options.invoke(event);
    } catch (error) {
      this.stats.failedInvocations += 1;
      this.stats.retained += messages.length;
      this.logger.warn(
        'invocation failed; batch returns after its visibility timeout',
        {
          functionName,
          messageIds: messages.map((message) => message.MessageId),
          error: error as Error,
        },
      );
      return;
    }

    let failed: Set<string>;
    try {
      failed = failedMessageIdsOf(response, event);
    } catch (error) {
      this.stats.invalidResponses += 1;
      this.stats.retained += messages.length;
      this.logger.error('invalid batch response; whole batch failed', {
        functionName,
        messageIds: messages.map((message) => message.MessageId),
        error: error as Error,
      });
      return;
    }

    this.stats.retained += failed.size;
    const succeeded = messages.filter(
      (message) => !failed.has(message.MessageId ?? ''),
    );
    await this.deleteMessages(succeeded);
  }

  private async deleteMessages(messages: Message[]): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    try {
      const { Failed } = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      this.stats.deleted += messages.length - (Failed?.length ?? 0);
      this.stats.retained += Failed?.length ?? 0;
      if (Failed && Failed.length > 0) {
        this.logger.warn('some deletes failed; those messages return', {
          functionName: this.options.functionName,
          failures: Failed.map((entry) => ({
            messageId: messages[Number(entry.Id)]?.MessageId,
            code: entry.Code,
          })),
        });
      }
    } catch (error) {
      this.stats.retained += messages.length;
      this.logger.error(
        'delete failed; the messages return after their visibility timeout',
        {
          functionName: this.options.functionName,
          messageIds: messages.map((message) => message.MessageId),
          error: error as Error,
        },
      );
    }
  }
}
