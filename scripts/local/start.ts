/**
 * `npm start`: the whole pipeline on one machine against an AWS emulator,
 * running the same bundles that `cdk deploy` ships.
 */
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  consumerFunctionOf,
  ENV,
  INGEST_FUNCTION,
  INGEST_MEMORY_SIZE_MB,
  INGEST_TIMEOUT_SECONDS,
} from '../../functions/shared/resources';
import {
  notification,
  payment,
  TASK_CLASSES,
} from '../../functions/shared/task-classes';
import { BUNDLE_ROOT, bundleAll } from '../bundle';
import { startApiServer } from './api-server';
import { forwardEmfLine } from './emf-forwarder';
import { startEmulator, useEmulatorEnvironment } from './emulator';
import { SqsEventSource } from './event-source';
import { FunctionPool } from './function-pool';
import { localLogger } from './local-logger';
import { type MockProvider, startMockProvider } from './mock-provider';
import {
  type ClassQueues,
  consumerEnvironment,
  ingestEnvironment,
  type Provisioned,
  provision,
} from './provision';
import {
  DEFAULT_API_KEY,
  DEFAULT_PORT,
  type LocalRuntimeOptions,
  runtimeOptionsFromEnvironment,
} from './runtime-options';

export type { LocalRuntimeOptions } from './runtime-options';

/** A running local runtime. */
export interface LocalRuntime {
  /** Base URL of the API, for example `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  /** An accepted `x-api-key` value. */
  readonly apiKey: string;
  readonly providerUrl: string;
  /** AWS emulator endpoint, also set as AWS_ENDPOINT_URL in this process. */
  readonly endpoint: string;
  readonly provisioned: Provisioned;
  /** Every function by name (`ingest`, `consumer-payment`, ...). */
  readonly functions: ReadonlyMap<string, FunctionPool>;
  /** The event source of each consumer, by function name. */
  readonly eventSources: ReadonlyMap<string, SqsEventSource>;
  readonly provider: MockProvider;
  /** Stops everything that was started, the emulator only if it was started here. */
  stop(): Promise<void>;
}

type Stop = () => Promise<void>;

/** Environment a consumer needs beyond its queues and tables. */
const classEnvironment = (
  className: string,
  options: LocalRuntimeOptions,
  provider: MockProvider,
): Record<string, string> => {
  if (
    className === payment.name &&
    options.paymentReviewLimitMinor !== undefined
  ) {
    return {
      [ENV.paymentReviewLimit]: String(options.paymentReviewLimitMinor),
    };
  }
  if (className === notification.name) {
    return { [ENV.notificationProviderUrl]: provider.url };
  }
  return {};
};

const printLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * Passes each function log line on and sends the metrics of embedded
 * metric format lines to the emulator's CloudWatch, as CloudWatch Logs
 * does for a Lambda function on AWS.
 */
const forwardingMetrics =
  (output: (line: string) => void, logger: Logger) =>
  (line: string): void => {
    output(line);
    if (!line.includes('"_aws"')) {
      return;
    }
    forwardEmfLine(line).catch((error: unknown) => {
      logger.warn('metric forwarding failed', { error: error as Error });
    });
  };

const createFunctions = (
  options: LocalRuntimeOptions,
  provisioned: Provisioned,
  provider: MockProvider,
): Map<string, FunctionPool> => {
  const bundleRoot = options.bundleRoot ?? BUNDLE_ROOT;
  const shared = {
    output: forwardingMetrics(
      options.functionOutput ?? printLine,
      options.logger ?? localLogger,
    ),
    logger: options.logger,
  };
  const functions = new Map<string, FunctionPool>();
  functions.set(
    INGEST_FUNCTION,
    new FunctionPool({
      ...shared,
      functionName: INGEST_FUNCTION,
      bundleDir: join(bundleRoot, INGEST_FUNCTION),
      timeoutSeconds: INGEST_TIMEOUT_SECONDS,
      memorySizeMb: INGEST_MEMORY_SIZE_MB,
      concurrency: options.ingestConcurrency ?? 2,
      environment: {
        ...ingestEnvironment(provisioned),
        ...options.functionEnvironment,
      },
    }),
  );

  for (const definition of TASK_CLASSES) {
    const functionName = consumerFunctionOf(definition.name);
    const queues = provisioned.queues.find(
      (candidate) => candidate.className === definition.name,
    ) as ClassQueues;
    functions.set(
      functionName,
      new FunctionPool({
        ...shared,
        functionName,
        bundleDir: join(bundleRoot, functionName),
        timeoutSeconds: definition.consumer.timeoutSeconds,
        memorySizeMb: definition.consumer.memorySizeMb,
        concurrency: options.pollersPerClass ?? 2,
        environment: {
          ...consumerEnvironment(queues),
          ...classEnvironment(definition.name, options, provider),
          ...options.functionEnvironment,
        },
      }),
    );
  }
  return functions;
};

const createEventSources = (
  options: LocalRuntimeOptions,
  provisioned: Provisioned,
  functions: ReadonlyMap<string, FunctionPool>,
): Map<string, SqsEventSource> => {
  const sources = new Map<string, SqsEventSource>();
  for (const definition of TASK_CLASSES) {
    const functionName = consumerFunctionOf(definition.name);
    const pool = functions.get(functionName) as FunctionPool;
    const queues = provisioned.queues.find(
      (candidate) => candidate.className === definition.name,
    ) as ClassQueues;
    sources.set(
      functionName,
      new SqsEventSource({
        functionName,
        queueUrl: queues.queueUrl,
        batchSize: definition.consumer.batchSize,
        pollers: options.pollersPerClass,
        waitTimeSeconds: options.waitTimeSeconds,
        invoke: (event) => pool.invoke(event),
        logger: options.logger,
      }),
    );
  }
  return sources;
};

/** Runs the stop steps newest first, logging and skipping any that fail. */
const runStops = async (stops: Stop[], logger: Logger): Promise<void> => {
  for (const stop of [...stops].reverse()) {
    try {
      await stop();
    } catch (error) {
      logger.error('stop step failed', { error: error as Error });
    }
  }
};

interface Backends {
  readonly endpoint: string;
  readonly provisioned: Provisioned;
  readonly provider: MockProvider;
}

/** Starts the emulator, creates the resources and starts the provider. */
const startBackends = async (
  options: LocalRuntimeOptions,
  logger: Logger,
  stops: Stop[],
): Promise<Backends> => {
  const emulator = await startEmulator();
  stops.push(emulator.stop);
  useEmulatorEnvironment(emulator.endpoint);
  logger.info('emulator ready', {
    endpoint: emulator.endpoint,
    startedHere: emulator.owned,
  });

  const provisioned = await provision();
  logger.info('provisioned queues and tables', {
    queues: provisioned.queues.map((queues) => queues.queueUrl),
  });

  const provider = await startMockProvider({
    port: options.providerPort,
    failureRate: options.providerFailureRate,
    logger,
  });
  stops.push(provider.stop);
  logger.info('mock provider listening', { providerUrl: provider.url });
  return { endpoint: emulator.endpoint, provisioned, provider };
};

/** Starts every function's processes and waits until all are warm. */
const startFunctions = async (
  options: LocalRuntimeOptions,
  backends: Backends,
  stops: Stop[],
): Promise<Map<string, FunctionPool>> => {
  const functions = createFunctions(
    options,
    backends.provisioned,
    backends.provider,
  );
  const pools = [...functions.values()];
  // Added before starting, so that a failed start still stops the others.
  stops.push(async () => {
    await Promise.all(pools.map((pool) => pool.stop()));
  });
  await Promise.all(pools.map((pool) => pool.start()));
  return functions;
};

/** Starts the event sources of every consumer. */
const startEventSources = async (
  options: LocalRuntimeOptions,
  provisioned: Provisioned,
  functions: ReadonlyMap<string, FunctionPool>,
  stops: Stop[],
): Promise<Map<string, SqsEventSource>> => {
  const eventSources = createEventSources(options, provisioned, functions);
  const sources = [...eventSources.values()];
  stops.push(async () => {
    await Promise.all(sources.map((source) => source.stop()));
  });
  await Promise.all(sources.map((source) => source.start()));
  return eventSources;
};

/**
 * Starts the whole pipeline locally and logs a final `ready` line with
 * apiUrl, providerUrl and endpoint. It bundles the functions (see the
 * `bundle` option) and uses the emulator at AWS_ENDPOINT_URL, or starts a
 * moto_server on a free loopback port. Then it creates the queues and
 * tables and starts the mock provider, one process pool per function, the
 * API server and one event source per task class.
 * @throws when a step fails, after stopping whatever it started
 */
export const startLocalRuntime = async (
  options: LocalRuntimeOptions = {},
): Promise<LocalRuntime> => {
  const logger = options.logger ?? localLogger;
  const startedAt = Date.now();
  const stops: Stop[] = [];
  try {
    if (options.bundle ?? options.bundleRoot === undefined) {
      await bundleAll();
      logger.info('bundled functions', { bundleRoot: BUNDLE_ROOT });
    }
    const backends = await startBackends(options, logger, stops);
    const functions = await startFunctions(options, backends, stops);

    const ingest = functions.get(INGEST_FUNCTION) as FunctionPool;
    const apiKeys = options.apiKeys ?? [DEFAULT_API_KEY];
    const api = await startApiServer({
      port: options.port ?? DEFAULT_PORT,
      apiKeys,
      invoke: (event) => ingest.invoke(event),
      logger,
    });
    stops.push(api.close);
    logger.info('api listening', { apiUrl: api.url });

    const eventSources = await startEventSources(
      options,
      backends.provisioned,
      functions,
      stops,
    );

    let stopped: Promise<void> | undefined;
    const runtime: LocalRuntime = {
      ...backends,
      apiUrl: api.url,
      apiKey: apiKeys[0] as string,
      providerUrl: backends.provider.url,
      functions,
      eventSources,
      stop: () => {
        stopped ??= runStops(stops, logger);
        return stopped;
      },
    };
    logger.info('ready', {
      apiUrl: runtime.apiUrl,
      providerUrl: runtime.providerUrl,
      endpoint: runtime.endpoint,
      startupMs: Date.now() - startedAt,
    });
    return runtime;
  } catch (error) {
    await runStops(stops, logger);
    throw error;
  }
};

/** Returns ready-to-paste commands that submit a payment and read it back. */
export const curlExample = (runtime: LocalRuntime): string => {
  const body = JSON.stringify({
    paymentId: 'pay_1001',
    orderId: 'order_1001',
    payerAccount: 'acct_payer_1',
    merchantAccount: 'acct_merchant_1',
    amount: 49_900,
    currency: 'INR',
  });
  return [
    '',
    'Submit a payment (repeat it with the same Idempotency-Key to see the replay):',
    '',
    `  curl -i -X POST '${runtime.apiUrl}/v1/tasks/payment' \\`,
    `    -H 'x-api-key: ${runtime.apiKey}' \\`,
    "    -H 'Idempotency-Key: order_1001-capture-1' \\",
    "    -H 'Content-Type: application/json' \\",
    `    -d '${body}'`,
    '',
    'Read its status with the task id from the response:',
    '',
    `  curl -i -H 'x-api-key: ${runtime.apiKey}' '${runtime.apiUrl}/v1/tasks/TASK_ID'`,
    '',
    'Delivered notifications:',
    '',
    `  curl -s '${runtime.providerUrl}/messages'`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
};

const main = async (): Promise<void> => {
  const runtime = await startLocalRuntime(runtimeOptionsFromEnvironment());
  process.stderr.write(curlExample(runtime));

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    localLogger.info('stopping', { signal });
    runtime.stop().then(
      () => {
        localLogger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        localLogger.error('stop failed', { error: error as Error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
};

if (require.main === module) {
  main().catch((error: unknown) => {
    localLogger.error('local runtime failed to start', {
      error: error as Error,
    });
    process.exit(1);
  });
}
