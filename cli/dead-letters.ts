import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../functions/consumers/dead-letter';
import {
  type TaskEnvelope,
  taskEnvelopeSchema,
} from '../functions/shared/envelope';
import { safeParse } from '../functions/shared/schema-messages';
import {
  messageGroupIdOf,
  type TaskClassDefinition,
} from '../functions/shared/task-classes';
import { cliSqsClient, queueUrlOf } from './aws';

/** Reason shown for a message that SQS moved itself after maxReceiveCount. */
export const NO_REASON_RECORDED =
  'exceeded maxReceiveCount (no reason recorded)';

/** Seconds a listed message stays hidden before the CLI releases it. */
const PEEK_VISIBILITY_SECONDS = 30;

/** Seconds a message being redriven or discarded stays hidden. */
const WORK_VISIBILITY_SECONDS = 120;

/** Long poll of each receive, because SQS short polls can miss messages. */
const RECEIVE_WAIT_SECONDS = 1;

/** A message in a class's dead-letter queue, as an operator sees it. */
export interface DeadLetter {
  readonly className: string;
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** The task envelope, when the body is one. */
  readonly envelope?: TaskEnvelope;
  readonly taskId?: string;
  readonly reason: string;
  /** Receives before the consumer gave up, when the consumer recorded it. */
  readonly attempts?: number;
  readonly failedAt?: string;
  readonly sourceQueue?: string;
  readonly messageGroupId?: string;
  /**
   * The message's SentTimestamp, ISO 8601. A redriven task is a new
   * message, so its SentTimestamp is the time of the redrive.
   */
  readonly sentAt?: string;
}

const attributeOf = (message: Message, name: string): string | undefined =>
  message.MessageAttributes?.[name]?.StringValue;

const envelopeOf = (body: string): TaskEnvelope | undefined => {
  try {
    const parsed = safeParse(taskEnvelopeSchema, JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** Describes a received message with the attributes the consumer added. */
export const toDeadLetter = (
  definition: TaskClassDefinition<unknown>,
  message: Message,
): DeadLetter => {
  const body = message.Body ?? '';
  const envelope = envelopeOf(body);
  const attempts = attributeOf(message, DLQ_ATTRIBUTES.attempts);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    className: definition.name,
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    envelope,
    taskId: attributeOf(message, DLQ_ATTRIBUTES.taskId) ?? envelope?.taskId,
    reason: attributeOf(message, DLQ_ATTRIBUTES.reason) ?? NO_REASON_RECORDED,
    attempts: attempts === undefined ? undefined : Number(attempts),
    failedAt: attributeOf(message, DLQ_ATTRIBUTES.failedAt),
    sourceQueue: attributeOf(message, DLQ_ATTRIBUTES.sourceQueue),
    messageGroupId: message.Attributes?.MessageGroupId,
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : undefined,
  };
};

const receiveBatch = async (
  queueUrl: string,
  visibilitySeconds: number,
): Promise<Message[]> => {
  const { Messages } = await cliSqsClient.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
      VisibilityTimeout: visibilitySeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
};

/**
 * Receives one batch and returns the messages not in `seen`. A message
 * already in `seen`, whose hiding has lapsed, gets its new receipt handle
 * there, because SQS accepts only the latest handle of a message.
 */
const receiveUnseen = async (
  definition: TaskClassDefinition<unknown>,
  queueUrl: string,
  visibilitySeconds: number,
  seen: Map<string, DeadLetter>,
): Promise<DeadLetter[]> => {
  const letters = (await receiveBatch(queueUrl, visibilitySeconds)).map(
    (message) => toDeadLetter(definition, message),
  );
  const unseen = letters.filter((letter) => !seen.has(letter.messageId));
  for (const letter of letters) {
    if (seen.has(letter.messageId)) {
      seen.set(letter.messageId, letter);
    }
  }
  return unseen;
};

/** Makes received messages visible again at once. */
const releaseMessages = async (
  queueUrl: string,
  messages: readonly DeadLetter[],
): Promise<void> => {
  for (let start = 0; start < messages.length; start += 10) {
    const batch = messages.slice(start, start + 10);
    await cliSqsClient.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((letter, index) => ({
          Id: String(index),
          ReceiptHandle: letter.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
};

/** Returns the approximate number of messages in a class's dead-letter queue. */
export const deadLetterDepth = async (
  definition: TaskClassDefinition<unknown>,
): Promise<number> => {
  const { Attributes } = await cliSqsClient.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrlOf(definition, 'dead-letter queue'),
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

/**
 * Reads up to `limit` messages of a class's dead-letter queue without
 * removing them: they are received, hidden while the read goes on, then
 * made visible again.
 *
 * NOTE: SQS returns no further messages of a FIFO message group while one
 * of them is hidden, so a group with more than 10 dead letters may be
 * listed only in part until its first ones are redriven or discarded.
 */
export const peekDeadLetters = async (
  definition: TaskClassDefinition<unknown>,
  limit: number,
): Promise<DeadLetter[]> => {
  const queueUrl = await queueUrlOf(definition, 'dead-letter queue');
  const letters = new Map<string, DeadLetter>();
  try {
    while (letters.size < limit) {
      const fresh = await receiveUnseen(
        definition,
        queueUrl,
        PEEK_VISIBILITY_SECONDS,
        letters,
      );
      if (fresh.length === 0) {
        break;
      }
      for (const letter of fresh) {
        letters.set(letter.messageId, letter);
      }
    }
  } finally {
    await releaseMessages(queueUrl, [...letters.values()]);
  }
  return [...letters.values()].slice(0, limit);
};

/** Selection of the dead letters that a redrive or discard takes. */
export type Selection =
  | { readonly kind: 'ids'; readonly messageIds: ReadonlySet<string> }
  /** Every message already in the queue when the command started. */
  | { readonly kind: 'all'; readonly startedAt: Date };

const isSelected = (selection: Selection, letter: DeadLetter): boolean =>
  selection.kind === 'ids'
    ? selection.messageIds.has(letter.messageId)
    : letter.sentAt === undefined ||
      Date.parse(letter.sentAt) <= selection.startedAt.getTime();

/** Outcome of a pass over a dead-letter queue. */
export interface DrainResult {
  readonly handled: readonly DeadLetter[];
  /** Requested message ids that were not found in the queue. */
  readonly missing: readonly string[];
}

/**
 * Receives a class's dead letters batch by batch and hands each selected
 * one to `handle`, which must delete it from the queue. Messages that are
 * not selected are made visible again at the end. A message that arrives
 * after an `all` pass started is left alone, so a task that fails again
 * at once is not redriven in a loop.
 */
export const drainDeadLetters = async (
  definition: TaskClassDefinition<unknown>,
  selection: Selection,
  handle: (letter: DeadLetter, queueUrl: string) => Promise<void>,
): Promise<DrainResult> => {
  const queueUrl = await queueUrlOf(definition, 'dead-letter queue');
  const handled: DeadLetter[] = [];
  const skipped = new Map<string, DeadLetter>();
  const remaining = (): boolean =>
    selection.kind === 'all' || handled.length < selection.messageIds.size;

  try {
    while (remaining()) {
      const batch = await receiveUnseen(
        definition,
        queueUrl,
        WORK_VISIBILITY_SECONDS,
        skipped,
      );
      if (batch.length === 0) {
        break;
      }
      for (const letter of batch) {
        if (!isSelected(selection, letter)) {
          skipped.set(letter.messageId, letter);
          continue;
        }
        await handle(letter, queueUrl);
        handled.push(letter);
      }
    }
  } finally {
    await releaseMessages(queueUrl, [...skipped.values()]);
  }

  const handledIds = new Set(handled.map((letter) => letter.messageId));
  const missing =
    selection.kind === 'ids'
      ? [...selection.messageIds].filter((id) => !handledIds.has(id))
      : [];
  return { handled, missing };
};

/**
 * Sends a dead letter's body back to its class queue, in the same message
 * group and with a fresh deduplication id. A fresh id is needed because
 * SQS replaced the original one when the message moved to the dead-letter
 * queue. The consumer's idempotency record and the effect guard, not the
 * queue, stop a task that already took effect. The caller then deletes the
 * dead letter.
 */
export const resendDeadLetter = async (
  definition: TaskClassDefinition<unknown>,
  letter: DeadLetter,
): Promise<void> => {
  await cliSqsClient.send(
    new SendMessageCommand({
      QueueUrl: await queueUrlOf(definition, 'queue'),
      MessageBody: letter.body,
      MessageGroupId: messageGroupOf(definition, letter),
      MessageDeduplicationId: randomUUID(),
    }),
  );
};

/**
 * Returns the message group of a dead letter: the one SQS kept, else the
 * group that ingest would give its payload, else the fallback group that
 * the consumer gives a record without one.
 */
const messageGroupOf = (
  definition: TaskClassDefinition<unknown>,
  letter: DeadLetter,
): string => {
  if (letter.messageGroupId) {
    return letter.messageGroupId;
  }
  const task = safeParse(definition.schema, letter.envelope?.payload);
  return task.success ? messageGroupIdOf(definition, task.data) : 'ungrouped';
};

/** Deletes a received dead letter from its queue. */
export const deleteDeadLetter = async (
  letter: DeadLetter,
  dlqUrl: string,
): Promise<void> => {
  await cliSqsClient.send(
    new DeleteMessageCommand({
      QueueUrl: dlqUrl,
      ReceiptHandle: letter.receiptHandle,
    }),
  );
};
