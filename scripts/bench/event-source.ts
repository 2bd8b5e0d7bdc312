import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { queueArnOf, toSqsEvent } from '../../test/support/sqs';
import type { RequestLog } from './request-log';

/** A consumer handler as Lambda calls it. */
export type ConsumerHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse>;

/** One batch that the event source received and handed to a consumer. */
export interface Delivery {
  readonly event: SQSEvent;
  readonly response: SQSBatchResponse;
  readonly messages: Message[];
}

/**
 * Plays the part of Lambda's SQS event source mapping: one ReceiveMessage
 * per batch, the handler, then one DeleteMessageBatch for the records the
 * handler did not report as failed. Its requests are billed to the account
 * like the function's own, so they are counted, marked `event-source`.
 */
export class EventSource {
  /** The event source's own client, for probes to attach to. */
  readonly client = new SQSClient({});

  constructor(
    private readonly queueUrl: string,
    private readonly batchSize: number,
    log: RequestLog,
  ) {
    log.attach(this.client, 'sqs', 'event-source');
  }

  /** Receives one batch, or an empty list after `waitSeconds`. */
  async receive(waitSeconds: number): Promise<Message[]> {
    const { Messages } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: this.batchSize,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages ?? [];
  }

  /** Runs the handler on received messages and deletes what succeeded. */
  async deliver(
    messages: Message[],
    handler: ConsumerHandler,
    context: Context,
  ): Promise<Delivery> {
    const event = toSqsEvent(messages, queueArnOf(this.queueUrl));
    const response = await handler(event, context);
    const failed = new Set(
      response.batchItemFailures.map((failure) => failure.itemIdentifier),
    );
    const done = messages.filter(
      (message) => !failed.has(message.MessageId as string),
    );
    if (done.length > 0) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    return { event, response, messages };
  }
}
