import { randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

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
export const toSqsEvent = (
  messages: Message[],
  queueArn: string,
): SQSEvent => ({
  Records: messages.map(
    (message): SQSRecord => ({
      messageId: message.MessageId ?? randomUUID(),
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: message.Attributes as unknown as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'ap-south-1',
    }),
  ),
});

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
