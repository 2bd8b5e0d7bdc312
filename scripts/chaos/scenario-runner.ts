import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { ENV } from '../../functions/shared/resources';
import { BUNDLE_ROOT } from '../bundle';
import { startEmulator, useEmulatorEnvironment } from '../local/emulator';
import type { FunctionPool } from '../local/function-pool';
import { type LocalRuntime, startLocalRuntime } from '../local/start';
import { checkRun, type ScenarioResult } from './checker';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { readGroundTruth } from './ground-truth';
import { type Killer, startKiller } from './killer';
import { planTraffic, runTraffic, type TrafficResult } from './load-generator';
import { progress } from './progress';
import type { Scenario } from './scenarios';
import { waitUntilSettled } from './settle';

/** Size and pace of one run. */
export interface RunSize {
  /** Intents to send; each becomes one task. */
  readonly tasks: number;
  /** Clients sending at the same time. */
  readonly clients: number;
  /** Milliseconds to wait for the pipeline to go idle after the traffic. */
  readonly settleTimeoutMs: number;
}

const PRELOAD_DIR = join(__dirname, 'preload');

/** Milliseconds a simulated client waits for an API response. */
const CLIENT_TIMEOUT_MS = 4_000;

/** Function log messages worth counting in the report. */
const COUNTED_MESSAGES = [
  'duplicate suppressed',
  'retry scheduled',
  'dead-lettered',
  'power cut',
  'clock skew applied',
] as const;

/** Counts the function log lines the report shows, and the clock offsets. */
class FunctionLogCounter {
  readonly counts = new Map<string, number>();
  readonly clockOffsetsMs: number[] = [];

  constructor(private readonly logFile: string | undefined) {}

  readonly onLine = (line: string): void => {
    if (this.logFile) {
      appendFileSync(this.logFile, `${line}\n`);
    }
    for (const message of COUNTED_MESSAGES) {
      if (line.includes(`"message":"${message}"`)) {
        this.counts.set(message, (this.counts.get(message) ?? 0) + 1);
      }
    }
    const offset = /"message":"clock skew applied","offsetMs":(-?\d+)/.exec(
      line,
    );
    if (offset) {
      this.clockOffsetsMs.push(Number(offset[1]));
    }
  };

  summary(): Record<string, unknown> {
    const offsets = this.clockOffsetsMs;
    return {
      ...Object.fromEntries(this.counts),
      ...(offsets.length > 0
        ? {
            clockOffsetMs: {
              processes: offsets.length,
              min: Math.min(...offsets),
              max: Math.max(...offsets),
            },
          }
        : {}),
    };
  }
}

/** Builds the extra environment of every function for a scenario. */
const functionEnvironmentOf = (
  scenario: Scenario,
  proxyUrl: string,
): Record<string, string> => {
  const preloads: string[] = [];
  const environment: Record<string, string> = {
    AWS_ENDPOINT_URL: proxyUrl,
  };
  const { clockSkewMaxMs, powerCutRate } = scenario.faults;
  if (clockSkewMaxMs) {
    preloads.push(join(PRELOAD_DIR, 'clock-skew.cjs'));
    environment.EKBAR_CLOCK_SKEW_MAX_MS = String(clockSkewMaxMs);
  }
  if (powerCutRate) {
    preloads.push(join(PRELOAD_DIR, 'power-cut.cjs'));
    environment.EKBAR_POWER_CUT_RATE = String(powerCutRate);
  }
  if (preloads.length > 0) {
    environment.NODE_OPTIONS = preloads
      .map((file) => `--require ${file}`)
      .join(' ');
  }
  if (!scenario.protection) {
    environment[ENV.protection] = 'off';
  }
  return environment;
};

/** Resources of one run, stopped in reverse order. */
class RunResources {
  readonly stops: (() => Promise<void> | void)[] = [];

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        process.stderr.write(`stop step failed: ${(error as Error).message}\n`);
      }
    }
  }
}

/** Resources of the scenario running now, for a stop on a signal. */
let activeRun: RunResources | undefined;

/** Stops the processes and servers of the scenario running now, if any. */
export const stopActiveRun = async (): Promise<void> => {
  await activeRun?.stopAll();
};

const startPipeline = async (
  scenario: Scenario,
  resources: RunResources,
  logs: FunctionLogCounter,
): Promise<{ runtime: LocalRuntime; proxy: FaultProxy; endpoint: string }> => {
  const emulator = await startEmulator({ ignoreEnvironment: true });
  resources.stops.push(emulator.stop);
  const proxy = await startFaultProxy(emulator.endpoint);
  resources.stops.push(proxy.stop);

  // Every AWS call of the runtime (provisioning, the SQS pollers) and of
  // the functions goes through the proxy; queue URLs then name the proxy.
  const previousEndpoint = process.env.AWS_ENDPOINT_URL;
  useEmulatorEnvironment(proxy.url);
  resources.stops.push(() => {
    process.env.AWS_ENDPOINT_URL = previousEndpoint;
  });
  const runtime = await startLocalRuntime({
    port: 0,
    bundle: false,
    bundleRoot: BUNDLE_ROOT,
    ingestConcurrency: 8,
    pollersPerClass: 3,
    logger: new Logger({
      logLevel: 'SILENT',
    }),
    functionOutput: logs.onLine,
    functionEnvironment: functionEnvironmentOf(scenario, proxy.url),
  });
  resources.stops.push(runtime.stop);
  return { runtime, proxy, endpoint: emulator.endpoint };
};

const applyFaults = (
  scenario: Scenario,
  runtime: LocalRuntime,
  proxy: FaultProxy,
  resources: RunResources,
): Killer | undefined => {
  const { latencyMs, dropRate, dynamodbOutage, kills } = scenario.faults;
  proxy.faults.latencyMs = latencyMs ?? 0;
  proxy.faults.dropRate = dropRate ?? 0;
  if (dynamodbOutage) {
    const timer = setTimeout(() => {
      progress(
        scenario.name,
        `DynamoDB down for ${dynamodbOutage.durationMs} ms`,
      );
      proxy.startDynamodbOutage(dynamodbOutage.durationMs);
    }, dynamodbOutage.startAfterMs);
    resources.stops.push(() => clearTimeout(timer));
  }
  if (!kills) {
    return undefined;
  }
  const pools = [...runtime.functions.values()] as FunctionPool[];
  const killer = startKiller({ pools, ...kills });
  resources.stops.push(() => killer.stop());
  return killer;
};

const faultReport = (
  proxy: FaultProxy,
  killer: Killer | undefined,
  traffic: TrafficResult,
  logs: FunctionLogCounter,
  settled: boolean,
): Record<string, unknown> => ({
  proxy: { ...proxy.stats },
  kills: Object.fromEntries(killer?.kills ?? []),
  apiResponses: Object.fromEntries(traffic.responses),
  abandonedSubmissions: traffic.abandoned,
  functionLogs: logs.summary(),
  settledBeforeDeadline: settled,
});

/**
 * Runs one scenario on a fresh pipeline with its own moto_server: starts
 * the fault proxy and the local runtime, applies the faults, sends the
 * traffic, waits until the queues are idle, and checks the stores.
 */
export const runScenario = async (
  scenario: Scenario,
  size: RunSize,
): Promise<ScenarioResult> => {
  const resources = new RunResources();
  activeRun = resources;
  const logs = new FunctionLogCounter(
    process.env.EKBAR_CHAOS_LOG_DIR
      ? join(process.env.EKBAR_CHAOS_LOG_DIR, `${scenario.name}.log`)
      : undefined,
  );
  try {
    progress(scenario.name, `starting (${scenario.description})`);
    const { runtime, proxy, endpoint } = await startPipeline(
      scenario,
      resources,
      logs,
    );
    const killer = applyFaults(scenario, runtime, proxy, resources);

    const jobs = planTraffic(`${scenario.name}-${Date.now()}`, size.tasks);
    progress(
      scenario.name,
      `sending ${jobs.length} jobs (${size.tasks} tasks)`,
    );
    let lastReport = 0;
    const traffic = await runTraffic(
      {
        apiUrl: runtime.apiUrl,
        apiKey: runtime.apiKey,
        requestTimeoutMs: CLIENT_TIMEOUT_MS,
        maxAttempts: 15,
        maxDurationMs: 90_000,
      },
      jobs,
      size.clients,
      (sofar) => {
        if (Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          const kills = [...(killer?.kills.values() ?? [])].reduce(
            (sum, count) => sum + count,
            0,
          );
          progress(
            scenario.name,
            `traffic: ${sofar.intents.size} tasks sent, ${sofar.accepted.size} accepted, ${kills} kills`,
          );
        }
      },
    );
    killer?.stop();
    progress(scenario.name, `traffic done: ${traffic.accepted.size} accepted`);

    const settled = await waitUntilSettled({
      scenario: scenario.name,
      endpoint,
      queues: runtime.provisioned.queues,
      acceptedTaskIds: [...traffic.accepted.keys()],
      timeoutMs: size.settleTimeoutMs,
    });
    const truth = await readGroundTruth(
      endpoint,
      runtime.provisioned.queues,
      runtime.provider.snapshot(),
    );
    const faults = faultReport(proxy, killer, traffic, logs, settled);
    faults.provider = truth.provider;
    return checkRun(scenario.name, traffic, truth, faults);
  } finally {
    activeRun = undefined;
    await resources.stopAll();
  }
};
