import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type {
  SQSEvent,
  SQSMessageAttribute,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

const base64Of = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString('base64');

/** Converts an SQS API message attribute into the Lambda event's shape. */
export const lambdaMessageAttributeOf = (
  value: MessageAttributeValue,
): SQSMessageAttribute => ({
  ...(value.StringValue !== undefined
    ? { stringValue: value.StringValue }
    : {}),
  ...(value.BinaryValue !== undefined
    ? { binaryValue: base64Of(value.BinaryValue) }
    : {}),
  stringListValues: value.StringListValues ?? [],
  binaryListValues: (value.BinaryListValues ?? []).map(base64Of),
  dataType: value.DataType ?? 'String',
});

/**
 * Converts a received SQS message into a record of the event that a Lambda
 * event source mapping sends. System attributes are passed as SQS returns
 * them, so a field the emulator leaves out is missing here too.
 */
export const sqsRecordOf = (
  message: Message,
  queueArn: string,
  region: string,
): SQSRecord => {
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      lambdaMessageAttributeOf(value),
    ]),
  );
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: (message.Attributes ?? {}) as unknown as SQSRecordAttributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
};

/** Builds the event of one batch. */
export const sqsEventOf = (
  messages: readonly Message[],
  queueArn: string,
  region: string,
): SQSEvent => ({
  Records: messages.map((message) => sqsRecordOf(message, queueArn, region)),
});

/** A consumer returned a batch response that Lambda rejects as a whole. */
export class InvalidBatchResponseError extends Error {
  constructor(detail: string) {
    super(`invalid batch response: ${detail}`);
    this.name = 'InvalidBatchResponseError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the message ids that a consumer reports as failed, under the rules
 * of an event source mapping with ReportBatchItemFailures. A null response,
 * an object without `batchItemFailures` or a null or empty list means the
 * whole batch succeeded. An item without a string `itemIdentifier`, an empty
 * one or one naming no message of the batch fails the whole batch.
 *
 * NOTE: a response that is not an object (a string, a number, an array) is
 * treated as invalid too, so its batch is retried rather than deleted.
 * @throws InvalidBatchResponseError when the whole batch counts as failed
 */
export const failedMessageIdsOf = (
  response: unknown,
  event: SQSEvent,
): Set<string> => {
  if (response === null || response === undefined) {
    return new Set();
  }
  if (!isRecord(response)) {
    throw new InvalidBatchResponseError(
      `expected an object with batchItemFailures, got ${JSON.stringify(response).slice(0, 100)}`,
    );
  }
  const failures = response.batchItemFailures;
  if (failures === null || failures === undefined) {
    return new Set();
  }
  if (!Array.isArray(failures)) {
    throw new InvalidBatchResponseError('batchItemFailures is not an array');
  }

  const batchIds = new Set(event.Records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const item of failures) {
    const identifier = isRecord(item) ? item.itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      throw new InvalidBatchResponseError(
        `item ${JSON.stringify(item)} has no non-empty string itemIdentifier`,
      );
    }
    if (!batchIds.has(identifier)) {
      throw new InvalidBatchResponseError(
        `itemIdentifier ${identifier} is not the messageId of a record in the batch`,
      );
    }
    failed.add(identifier);
  }
  return failed;
};
