import {
  type BenchContext,
  expectAccepted,
  submitEventOf,
} from './bench-context';
import type { RequestRecord } from './request-log';

/** Load of the end-to-end runs. */
export interface ThroughputSettings {
  /** Rounds of one serial run followed by one pipelined run. */
  readonly rounds: number;
  readonly serialTasks: number;
  readonly pipelinedTasks: number;
  /** Ingest calls in flight at once, like concurrent API requests. */
  readonly ingestConcurrency: number;
  /** Event source pollers, each with one consumer batch at a time. */
  readonly pollers: number;
  /** A pipelined run fails if its tasks are not all done by then. */
  readonly timeoutMs: number;
}

/** Sequence numbers past those of the requests phase, so tasks are new. */
const FIRST_SEQUENCE = 1_000_000;

/** Sequence numbers that one run may use. */
const SEQUENCES_PER_RUN = 100_000;

/** Receives in a row that may find nothing before a run gives up. */
const MAX_EMPTY_RECEIVES = 10;

/** Wakes the pollers whenever ingest has accepted another task. */
class WorkSignal {
  #waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    for (const wake of this.#waiters.splice(0)) {
      wake();
    }
  }
}

/** Measurements of one pipelined run, before the bound is applied. */
export interface ThroughputRun {
  readonly tasks: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly emptyReceives: number;
  /** Every AWS request of the run, for the emulator bound. */
  readonly records: RequestRecord[];
}

/**
 * Runs tasks end to end against the emulator: concurrent ingest calls and
 * event source pollers that hand batches to the consumer, every request
 * through the emulator gate. Throughput is tasks over the time from the
 * first submission to the last completion. A task's latency runs from the
 * start of its ingest call to the delete of its batch.
 */
const runPipelined = async (
  context: BenchContext,
  settings: ThroughputSettings,
  firstSequence: number,
): Promise<ThroughputRun> => {
  const tasks = settings.pipelinedTasks;
  const mark = context.log.mark();
  const submittedAt = new Map<string, number>();
  const completedAt = new Map<string, number>();
  const signal = new WorkSignal();
  let nextSequence = 0;
  let accepted = 0;
  let received = 0;
  let receiving = 0;
  let emptyReceives = 0;

  const started = performance.now();
  const deadline = started + settings.timeoutMs;

  const produce = async () => {
    while (nextSequence < tasks) {
      const sequence = firstSequence + nextSequence;
      nextSequence += 1;
      const callStarted = performance.now();
      const taskId = expectAccepted(
        await context.ingest(
          submitEventOf(context, sequence),
          context.ingestContext,
        ),
        false,
      );
      submittedAt.set(taskId, callStarted);
      accepted += 1;
      signal.notify();
    }
  };

  const consume = async () => {
    while (completedAt.size < tasks) {
      if (performance.now() > deadline) {
        throw new Error(
          `the ${context.className} pipeline completed ${completedAt.size} of ${tasks} tasks in ${settings.timeoutMs} ms`,
        );
      }
      // Polls only while accepted messages wait and no other poller is
      // already receiving them, so that few receives come back empty.
      if (accepted - received - receiving <= 0) {
        await Promise.race([
          signal.wait(),
          new Promise((resolve) => setTimeout(resolve, 50)),
        ]);
        continue;
      }
      receiving += 1;
      const messages = await context.eventSource.receive(0);
      receiving -= 1;
      received += messages.length;
      if (messages.length === 0) {
        emptyReceives += 1;
        continue;
      }
      const delivery = await context.eventSource.deliver(
        messages,
        context.consumer,
        context.consumerContext,
      );
      const doneAt = performance.now();
      const failed = new Set(
        delivery.response.batchItemFailures.map((f) => f.itemIdentifier),
      );
      for (const message of messages) {
        if (failed.has(message.MessageId as string)) {
          received -= 1;
        } else {
          const taskId = JSON.parse(message.Body as string).taskId as string;
          completedAt.set(taskId, doneAt);
        }
      }
    }
    signal.notify();
  };

  await Promise.all([
    ...Array.from({ length: settings.ingestConcurrency }, produce),
    ...Array.from({ length: settings.pollers }, consume),
  ]);

  return {
    tasks: tasks,
    seconds: (Math.max(...completedAt.values()) - started) / 1000,
    latenciesMs: [...completedAt].map(
      ([taskId, doneAt]) => doneAt - (submittedAt.get(taskId) ?? started),
    ),
    emptyReceives,
    records: context.log.since(mark),
  };
};

/**
 * Runs tasks one request at a time: a batch of tasks through ingest, then
 * that batch through the event source and the consumer. Each request then
 * waits only for the emulator and loopback, so the run's requests give the
 * emulator's service time per request.
 */
const runSerial = async (
  context: BenchContext,
  tasks: number,
  firstSequence: number,
): Promise<RequestRecord[]> => {
  const mark = context.log.mark();
  const batchSize = context.definition.consumer.batchSize;
  for (let first = 0; first < tasks; first += batchSize) {
    const count = Math.min(batchSize, tasks - first);
    for (let index = first; index < first + count; index += 1) {
      expectAccepted(
        await context.ingest(
          submitEventOf(context, firstSequence + index),
          context.ingestContext,
        ),
        false,
      );
    }
    let delivered = 0;
    let emptyReceives = 0;
    while (delivered < count) {
      const messages = await context.eventSource.receive(0);
      if (messages.length === 0 && ++emptyReceives >= MAX_EMPTY_RECEIVES) {
        throw new Error(
          `the ${context.className} queue returned ${delivered} of ${count} messages`,
        );
      }
      if (messages.length > 0) {
        await context.eventSource.deliver(
          messages,
          context.consumer,
          context.consumerContext,
        );
        delivered += messages.length;
      }
    }
  }
  return context.log.since(mark);
};

/** Serial and pipelined runs, taken in turns. */
export interface ThroughputRounds {
  readonly serialRecords: RequestRecord[];
  readonly pipelined: ThroughputRun;
}

/**
 * Alternates serial and pipelined runs on the same emulator. moto's
 * transactions copy the tables they touch, so its requests slow down as
 * the tables fill, and the machine's load drifts. Taking the runs in turns
 * exposes both kinds to the same table sizes and the same moments.
 */
export const runRounds = async (
  context: BenchContext,
  settings: ThroughputSettings,
): Promise<ThroughputRounds> => {
  const serialRecords: RequestRecord[] = [];
  const runs: ThroughputRun[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    const first = FIRST_SEQUENCE + 2 * round * SEQUENCES_PER_RUN;
    serialRecords.push(
      ...(await runSerial(context, settings.serialTasks, first)),
    );
    runs.push(await runPipelined(context, settings, first + SEQUENCES_PER_RUN));
  }
  return {
    serialRecords,
    pipelined: {
      tasks: runs.reduce((sum, run) => sum + run.tasks, 0),
      seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
      latenciesMs: runs.flatMap((run) => run.latenciesMs),
      emptyReceives: runs.reduce((sum, run) => sum + run.emptyReceives, 0),
      records: runs.flatMap((run) => run.records),
    },
  };
};
