import { randomBytes } from 'node:crypto';
import type { TestEnvironment } from '../../test/support/emulator';
import type { BenchContext, IngestHandler } from './bench-context';
import { benchContextsOf } from './bench-context';
import { CannedAws } from './canned-aws';
import { type CpuSettings, measureCpu } from './cpu-phase';
import { allowedTasksPerSecond, serviceTimesOf } from './emulator-bound';
import { startBenchEnvironment } from './environment';
import { type ConsumerHandler, EventSource } from './event-source';
import { largestItemBytes } from './item-size';
import { RequestLog } from './request-log';
import { measureRequests } from './requests-phase';
import type { Mode, ThroughputFigures, WorkerResult } from './results';
import { percentile } from './stats';
import {
  runRounds,
  type ThroughputRun,
  type ThroughputSettings,
} from './throughput-phase';

/** Measurement settings that the main process sends to one worker. */
export interface WorkerRequest {
  readonly mode: Mode;
  readonly className: string;
  readonly providerUrl: string;
  /** Consumer batches of the requests phase. */
  readonly requestBatches: number;
  readonly cpu: CpuSettings;
  readonly throughput: ThroughputSettings;
}

const progress = (request: WorkerRequest, message: string): void => {
  process.stderr.write(`  ${request.className} ${request.mode}: ${message}\n`);
};

/**
 * Loads the functions after the environment is set, as Lambda does, and
 * puts the request log and the in-process responses on the clients that
 * they share.
 */
const buildContext = async (
  request: WorkerRequest,
  environment: TestEnvironment,
): Promise<BenchContext> => {
  const clients: typeof import('../../functions/shared/aws-clients') =
    require('../../functions/shared/aws-clients');
  const {
    findTaskClass,
  }: typeof import('../../functions/shared/task-classes') =
    require('../../functions/shared/task-classes');
  const ingest: IngestHandler =
    require('../../functions/ingest/handler').handler;
  const consumer: ConsumerHandler = require(
    `../../functions/consumers/${request.className}`,
  ).handler;
  const definition = findTaskClass(request.className);
  if (!definition) {
    throw new Error(`unknown task class "${request.className}"`);
  }

  const log = new RequestLog();
  log.attach(clients.dynamodbClient, 'dynamodb', 'function');
  log.attach(clients.sqsClient, 'sqs', 'function');
  const canned = new CannedAws();
  canned.attach(clients.dynamodbClient);
  canned.attach(clients.sqsClient);
  const queueUrl = environment.queuesOf(request.className).queueUrl;
  const eventSource = new EventSource(
    queueUrl,
    definition.consumer.batchSize,
    log,
  );

  return {
    className: request.className,
    definition,
    runId: randomBytes(4).toString('hex'),
    ingest,
    consumer,
    log,
    canned,
    eventSource,
    queueUrl,
    ...benchContextsOf(request.className),
  };
};

const throughputFiguresOf = (
  run: ThroughputRun,
  allowed: number,
): ThroughputFigures => ({
  tasks: run.tasks,
  requests: run.records.length,
  retries: run.records.reduce((sum, record) => sum + record.attempts - 1, 0),
  emptyReceives: run.emptyReceives,
  seconds: run.seconds,
  tasksPerSecond: run.tasks / run.seconds,
  latencyMs: {
    p50: percentile(run.latenciesMs, 50),
    p99: percentile(run.latenciesMs, 99),
  },
  emulatorMsPerTask: 1000 / allowed,
  allowedTasksPerSecond: allowed,
  emulatorBusyShare:
    run.records.reduce((sum, record) => sum + record.emulatorMs, 0) /
    (run.seconds * 1000),
});

const measure = async (
  request: WorkerRequest,
  environment: TestEnvironment,
): Promise<WorkerResult> => {
  const context = await buildContext(request, environment);

  progress(request, 'counting requests');
  const counted = await measureRequests(context, request.requestBatches);
  const maxItemBytes = await largestItemBytes();

  progress(request, 'timing CPU with AWS responses served in-process');
  const cpu = await measureCpu(context, counted.recording, request.cpu);

  const { rounds, serialTasks, pipelinedTasks } = request.throughput;
  progress(
    request,
    `${rounds} rounds of ${serialTasks} tasks one request at a time and ${pipelinedTasks} pipelined`,
  );
  const { serialRecords, pipelined } = await runRounds(
    context,
    request.throughput,
  );
  const untimed = serialRecords.filter(
    (record) => record.gatedAttempts < record.attempts,
  );
  if (untimed.length > 0) {
    const operations = untimed.map((record) => record.operation).join(', ');
    progress(
      request,
      `${untimed.length} serial requests had an attempt without a response, left out of the emulator's service times: ${operations}`,
    );
  }
  const allowed = allowedTasksPerSecond(
    pipelined.records,
    pipelined.tasks,
    serviceTimesOf(serialRecords),
  );
  return {
    mode: request.mode,
    className: request.className,
    requests: counted.summaries,
    maxItemBytes,
    cpu,
    throughput: throughputFiguresOf(pipelined, allowed),
  };
};

/**
 * Worker entry: measures one task class in one mode in a process of its
 * own, because the functions read EKBAR_PROTECTION when they load, and
 * sends the result to the main process over IPC.
 */
const main = async (): Promise<void> => {
  const request = JSON.parse(process.argv[2] ?? '') as WorkerRequest;
  const environment = await startBenchEnvironment(request);
  const stop = () => {
    environment.stop().finally(() => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const result = await measure(request, environment);
    await new Promise<void>((resolve, reject) =>
      process.send?.(result, (error: Error | null) =>
        error ? reject(error) : resolve(),
      ),
    );
  } finally {
    await environment.stop();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `benchmark worker failed: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(1);
  },
);
