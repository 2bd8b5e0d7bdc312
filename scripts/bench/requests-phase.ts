import { randomUUID } from 'node:crypto';
import {
  type Message,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import {
  type BenchContext,
  expectAccepted,
  submitEventOf,
} from './bench-context';
import type { Exchange } from './canned-aws';
import type { RequestRecord } from './request-log';
import { type RequestSummary, type ScenarioSet, summarize } from './results';

/** Recorded AWS responses and handler inputs for the CPU phase to replay. */
export interface Recording {
  readonly tapes: ScenarioSet<Exchange[]>;
  readonly newBatch: SQSEvent;
  readonly duplicateBatch: SQSEvent;
}

const MAX_EMPTY_RECEIVES = 10;

const checkKnownTypes = (records: readonly RequestRecord[]): void => {
  const unknown = records.find((record) => record.type === 'other');
  if (unknown) {
    throw new Error(
      `${unknown.service} ${unknown.operation} has no request type; add it to OPERATION_TYPES in scripts/bench/request-log.ts`,
    );
  }
};

/** Counts the requests of new and replayed ingest calls, one at a time. */
const measureIngest = async (context: BenchContext, tasks: number) => {
  const created: RequestRecord[] = [];
  const replayed: RequestRecord[] = [];
  let newTape: Exchange[] = [];
  let replayTape: Exchange[] = [];

  for (let sequence = 0; sequence < tasks; sequence += 1) {
    const first = sequence === 0;
    let mark = context.log.mark();
    if (first) {
      context.canned.record();
    }
    expectAccepted(
      await context.ingest(
        submitEventOf(context, sequence),
        context.ingestContext,
      ),
      false,
    );
    if (first) {
      newTape = context.canned.stop();
    }
    created.push(...context.log.since(mark));

    mark = context.log.mark();
    if (first) {
      context.canned.record();
    }
    expectAccepted(
      await context.ingest(
        submitEventOf(context, sequence),
        context.ingestContext,
      ),
      true,
    );
    if (first) {
      replayTape = context.canned.stop();
    }
    replayed.push(...context.log.since(mark));
  }
  if (created.length === 0) {
    throw new Error(
      'no AWS request was counted at ingest; the counting middleware is not on the clients that the handler uses',
    );
  }
  return { created, replayed, newTape, replayTape };
};

/**
 * Delivers `tasks` queued messages to the consumer in batches through the
 * event source, counting every request; records the first batch's AWS
 * responses.
 */
const measureDeliveries = async (context: BenchContext, tasks: number) => {
  const records: RequestRecord[] = [];
  const delivered: Message[] = [];
  let firstBatch: SQSEvent | undefined;
  let tape: Exchange[] = [];
  let emptyReceives = 0;

  while (delivered.length < tasks) {
    const mark = context.log.mark();
    const messages = await context.eventSource.receive(1);
    if (messages.length === 0) {
      emptyReceives += 1;
      if (emptyReceives >= MAX_EMPTY_RECEIVES) {
        throw new Error(
          `the ${context.className} queue returned ${delivered.length} of ${tasks} messages`,
        );
      }
      continue;
    }
    if (!firstBatch) {
      context.canned.record();
    }
    const delivery = await context.eventSource.deliver(
      messages,
      context.consumer,
      context.consumerContext,
    );
    if (!firstBatch) {
      tape = context.canned.stop();
      firstBatch = delivery.event;
    }
    if (delivery.response.batchItemFailures.length > 0) {
      throw new Error(
        `the ${context.className} consumer failed ${delivery.response.batchItemFailures.length} records of a batch; the benchmark expects every task to succeed`,
      );
    }
    records.push(...context.log.since(mark));
    delivered.push(...messages);
  }
  return { records, delivered, firstBatch: firstBatch as SQSEvent, tape };
};

/**
 * Sends delivered messages again, unchanged, as a redelivery after a lost
 * delete or a repeated send looks to the consumer. The client is not
 * counted: these sends stand in for SQS itself.
 */
const requeue = async (
  context: BenchContext,
  messages: readonly Message[],
): Promise<void> => {
  const client = new SQSClient({});
  for (const message of messages) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: context.queueUrl,
        MessageBody: message.Body,
        MessageGroupId: message.Attributes?.MessageGroupId,
        MessageDeduplicationId: randomUUID(),
      }),
    );
  }
};

/**
 * Counts the AWS requests of each scenario, one task at a time: ingest of
 * a new request and of a replay, and the consumer with a new task and
 * with a duplicate delivery. Returns the per-task averages and what the
 * CPU phase needs to replay the same code paths.
 */
export const measureRequests = async (
  context: BenchContext,
  batches: number,
): Promise<{
  summaries: ScenarioSet<RequestSummary>;
  recording: Recording;
}> => {
  const tasks = batches * context.definition.consumer.batchSize;
  const ingest = await measureIngest(context, tasks);
  const fresh = await measureDeliveries(context, tasks);
  await requeue(context, fresh.delivered);
  const duplicate = await measureDeliveries(context, tasks);

  const all = [
    ...ingest.created,
    ...ingest.replayed,
    ...fresh.records,
    ...duplicate.records,
  ];
  checkKnownTypes(all);
  return {
    summaries: {
      ingestNew: summarize(ingest.created, tasks),
      ingestReplay: summarize(ingest.replayed, tasks),
      consumerNew: summarize(fresh.records, tasks),
      consumerDuplicate: summarize(duplicate.records, tasks),
    },
    recording: {
      tapes: {
        ingestNew: ingest.newTape,
        ingestReplay: ingest.replayTape,
        consumerNew: fresh.tape,
        consumerDuplicate: duplicate.tape,
      },
      newBatch: fresh.firstBatch,
      duplicateBatch: duplicate.firstBatch,
    },
  };
};
