import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { requireEnv, sqsClient } from '../shared/aws-clients';
import { ENV } from '../shared/resources';

/** Message attributes that explain why a message was dead-lettered. */
export const DLQ_ATTRIBUTES = {
  reason: 'ekbar-reason',
  attempts: 'ekbar-attempts',
  failedAt: 'ekbar-failed-at',
  sourceQueue: 'ekbar-source-queue',
  taskId: 'ekbar-task-id',
} as const;

/** Maximum length of the reason kept on a dead letter, in characters. */
const MAX_REASON_LENGTH = 1_000;

const stringAttribute = (value: string) => ({
  DataType: 'String',
  StringValue: value,
});

/**
 * Moves a record to the class's dead-letter queue with its reason, body
 * unchanged so that it can be redriven. The caller then reports the record
 * as processed, which deletes it from the source queue.
 *
 * The deduplication id is the source message id: sending the same record
 * twice, after a crash between this send and the delete, adds nothing.
 */
export const sendToDeadLetterQueue = async (
  record: SQSRecord,
  reason: string,
  taskId: string | undefined,
): Promise<void> => {
  const attributes: Record<string, ReturnType<typeof stringAttribute>> = {
    [DLQ_ATTRIBUTES.reason]: stringAttribute(
      reason.slice(0, MAX_REASON_LENGTH),
    ),
    [DLQ_ATTRIBUTES.attempts]: stringAttribute(
      record.attributes.ApproximateReceiveCount ?? '1',
    ),
    [DLQ_ATTRIBUTES.failedAt]: stringAttribute(new Date().toISOString()),
    [DLQ_ATTRIBUTES.sourceQueue]: stringAttribute(record.eventSourceARN),
  };
  if (taskId !== undefined) {
    attributes[DLQ_ATTRIBUTES.taskId] = stringAttribute(taskId);
  }

  await sqsClient.send(
    new SendMessageCommand({
      QueueUrl: requireEnv(ENV.dlqUrl),
      MessageBody: record.body,
      MessageGroupId: record.attributes.MessageGroupId ?? 'ungrouped',
      MessageDeduplicationId: record.messageId,
      MessageAttributes: attributes,
    }),
  );
};
