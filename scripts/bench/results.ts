import type { RequestRecord } from './request-log';

/** `product` runs with every protection on; `baseline` with it off. */
export type Mode = 'product' | 'baseline';

export const MODES: readonly Mode[] = ['product', 'baseline'];

/** AWS requests per task of one scenario, averaged over its tasks. */
export interface RequestSummary {
  /** Tasks the averages are taken over. */
  readonly tasks: number;
  readonly dynamodb: {
    readonly read: number;
    readonly write: number;
    readonly transaction: number;
  };
  readonly sqs: {
    readonly send: number;
    readonly receive: number;
    readonly delete: number;
    readonly visibility: number;
  };
  /** Items written by single-item or batch writes, per task. */
  readonly writeItems: number;
  /** Items written inside transactions, per task. */
  readonly transactionItems: number;
  /** Items read outside transactions, per task. */
  readonly readItems: number;
  /** HTTP attempts beyond the first of each call, per task. */
  readonly retries: number;
  /** Requests per task by service and operation, such as `dynamodb PutItem`. */
  readonly operations: Readonly<Record<string, number>>;
}

/** CPU time of one handler call or record, in microseconds. */
export interface CpuFigures {
  readonly iterations: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

/** End-to-end figures of one class and mode against the emulator. */
export interface ThroughputFigures {
  readonly tasks: number;
  /** AWS calls in the run, and the HTTP attempts the SDK repeated. */
  readonly requests: number;
  readonly retries: number;
  /** Event source receives that found no message. */
  readonly emptyReceives: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** Emulator milliseconds that the run's requests need per task. */
  readonly emulatorMsPerTask: number;
  /** Tasks per second the emulator allows: 1 s over its time per task. */
  readonly allowedTasksPerSecond: number;
  /**
   * Share of the run's time in which the emulator served a request, as
   * the emulator gate measured it during the run itself.
   */
  readonly emulatorBusyShare: number;
}

/** Scenarios whose requests and CPU time are measured. */
export interface ScenarioSet<T> {
  readonly ingestNew: T;
  readonly ingestReplay: T;
  readonly consumerNew: T;
  readonly consumerDuplicate: T;
}

/** Everything one worker measures for one class in one mode. */
export interface WorkerResult {
  readonly mode: Mode;
  readonly className: string;
  readonly requests: ScenarioSet<RequestSummary>;
  /** Largest item in any table after the run, in bytes (DynamoDB sizing). */
  readonly maxItemBytes: number;
  readonly cpu: ScenarioSet<CpuFigures>;
  readonly throughput: ThroughputFigures;
}

/** Averages a scenario's request records over its tasks. */
export const summarize = (
  records: readonly RequestRecord[],
  tasks: number,
): RequestSummary => {
  const perTask = (count: number) => count / tasks;
  const countOf = (match: (record: RequestRecord) => boolean) =>
    perTask(records.filter(match).reduce((sum, r) => sum + r.attempts, 0));
  const itemsOf = (match: (record: RequestRecord) => boolean) =>
    perTask(
      records
        .filter(match)
        .reduce((sum, record) => sum + record.items * record.attempts, 0),
    );
  const ofType = (type: RequestRecord['type']) => (record: RequestRecord) =>
    record.type === type;

  const attemptsByOperation = new Map<string, number>();
  for (const record of records) {
    const name = `${record.service} ${record.operation}`;
    attemptsByOperation.set(
      name,
      (attemptsByOperation.get(name) ?? 0) + record.attempts,
    );
  }
  const operations = Object.fromEntries(
    [...attemptsByOperation].map(([name, attempts]) => [
      name,
      perTask(attempts),
    ]),
  );
  return {
    tasks,
    dynamodb: {
      read: countOf(ofType('read')),
      write: countOf(ofType('write')),
      transaction: countOf(ofType('transaction')),
    },
    sqs: {
      send: countOf(ofType('send')),
      receive: countOf(ofType('receive')),
      delete: countOf(ofType('delete')),
      visibility: countOf(ofType('visibility')),
    },
    writeItems: itemsOf(ofType('write')),
    transactionItems: itemsOf(
      (record) =>
        record.type === 'transaction' &&
        record.operation === 'TransactWriteItems',
    ),
    readItems: itemsOf(ofType('read')),
    retries: perTask(
      records.reduce((sum, record) => sum + record.attempts - 1, 0),
    ),
    operations,
  };
};

/** Total DynamoDB requests per task. */
export const dynamodbTotal = (summary: RequestSummary): number =>
  summary.dynamodb.read + summary.dynamodb.write + summary.dynamodb.transaction;

/** Total SQS requests per task. */
export const sqsTotal = (summary: RequestSummary): number =>
  summary.sqs.send +
  summary.sqs.receive +
  summary.sqs.delete +
  summary.sqs.visibility;
