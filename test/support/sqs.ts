import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqsEventOf } from '../../scripts/local/sqs-event';
import { lambdaContext } from './api-event';

/** Receives up to `max` messages with every attribute, waiting up to `waitSeconds`. */
export const receiveAll = async (
  queueUrl: string,
  options: {
    max?: number;
    waitSeconds?: number;
    visibilitySeconds?: number;
  } = {},
): Promise<Message[]> => {
  const client = new SQSClient({});
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      VisibilityTimeout: options.visibilitySeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
};

/** Converts received messages into the SQS event Lambda would deliver. */
export const toSqsEvent = (messages: Message[], queueArn: string): SQSEvent =>
  sqsEventOf(messages, queueArn, 'ap-south-1');

/** Deletes a received message. */
export const deleteMessage = async (
  queueUrl: string,
  message: Message,
): Promise<void> => {
  await new SQSClient({}).send(
    new DeleteMessageCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: message.ReceiptHandle,
    }),
  );
};

export const queueArnOf = (queueUrl: string): string => {
  const name = queueUrl.split('/').at(-1) as string;
  return `arn:aws:sqs:ap-south-1:123456789012:${name}`;
};

/** A consumer handler as the functions export it. */
export type ConsumerHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse>;

/**
 * Receives one batch from a class queue, runs the consumer on it and, like
 * the event source mapping, deletes the records it did not report failed.
 */
export const deliverOnce = async (
  queueUrl: string,
  className: string,
  handler: ConsumerHandler,
  waitSeconds = 1,
): Promise<{
  messages: Message[];
  event: SQSEvent;
  response: SQSBatchResponse;
}> => {
  const messages = await receiveAll(queueUrl, { waitSeconds });
  const event = toSqsEvent(messages, queueArnOf(queueUrl));
  const response = await handler(
    event,
    lambdaContext(`consumer-${className}`, 5_000),
  );
  const failed = new Set(
    response.batchItemFailures.map((f) => f.itemIdentifier),
  );
  for (const message of messages) {
    if (!failed.has(message.MessageId as string)) {
      await deleteMessage(queueUrl, message);
    }
  }
  return { messages, event, response };
};
