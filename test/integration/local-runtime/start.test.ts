import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  consumerFunctionOf,
  INGEST_FUNCTION,
} from '../../../functions/shared/resources';
import { TASK_CLASSES } from '../../../functions/shared/task-classes';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../../scripts/local/start';
import {
  FixtureBundles,
  RUNTIME_CONSUMER_HANDLER,
  RUNTIME_INGEST_HANDLER,
  send,
  silentLogger,
  waitFor,
} from './fixtures';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const bundles = new FixtureBundles();
bundles.write(INGEST_FUNCTION, RUNTIME_INGEST_HANDLER);
for (const definition of TASK_CLASSES) {
  bundles.write(consumerFunctionOf(definition.name), RUNTIME_CONSUMER_HANDLER);
}

/**
 * Makes the runtime start a moto_server of its own, unless the test run
 * names a shared emulator in EKBAR_TEST_ENDPOINT.
 */
const useOwnEmulator = (): void => {
  const shared = process.env.EKBAR_TEST_ENDPOINT;
  if (shared) {
    process.env.AWS_ENDPOINT_URL = shared;
  } else {
    delete process.env.AWS_ENDPOINT_URL;
  }
};

const recordsOf = (functionName: string): Record<string, unknown>[] => {
  const file = join(bundles.root, functionName, 'records.jsonl');
  if (!existsSync(file)) {
    return [];
  }
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const answers = async (url: string): Promise<boolean> => {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  bundles.remove();
});

describe('startLocalRuntime', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    useOwnEmulator();
    runtime = await startLocalRuntime({
      port: 0,
      bundleRoot: bundles.root,
      pollersPerClass: 1,
      ingestConcurrency: 1,
      waitTimeSeconds: 1,
      paymentReviewLimitMinor: 5_000,
      functionEnvironment: { EKBAR_PROTECTION: 'on' },
      functionOutput: () => undefined,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('carries a task from the API to the provider', async () => {
    // Act
    const response = await send(`${runtime.apiUrl}/v1/tasks/notification`, {
      method: 'POST',
      headers: { 'x-api-key': runtime.apiKey, 'Idempotency-Key': 'notify-1' },
      body: '{"to":"+910000000000"}',
    });
    const [message] = await waitFor(
      () => {
        const { messages } = runtime.provider.snapshot();
        return messages.length > 0 ? messages : undefined;
      },
      15_000,
      'the provider to receive the notification',
    );

    // Assess
    expect(response.status).toBe(202);
    expect(message?.idempotencyKey).toBe('notify-1');
    expect(message?.body).toEqual({ to: '+910000000000' });
  });

  it('gives consumers their class variables', async () => {
    await send(`${runtime.apiUrl}/v1/tasks/payment`, {
      method: 'POST',
      headers: { 'x-api-key': runtime.apiKey, 'Idempotency-Key': 'pay-1' },
      body: '{"amount":1}',
    });

    const [record] = await waitFor(
      () => {
        const records = recordsOf(consumerFunctionOf('payment'));
        return records.length > 0 ? records : undefined;
      },
      15_000,
      'the payment consumer to run',
    );

    expect(record).toMatchObject({
      functionName: 'consumer-payment',
      reviewLimit: '5000',
      protection: 'on',
    });
  });

  it('restarts a killed consumer process', async () => {
    const instance = runtime.functions.get(consumerFunctionOf('payment'))
      ?.instances[0];
    const firstPid = instance?.pid as number;

    instance?.kill('SIGKILL');

    const newPid = await waitFor(
      () =>
        instance?.pid !== undefined && instance.pid !== firstPid
          ? instance.pid
          : undefined,
      10_000,
      'a new consumer process',
    );
    expect(isRunning(newPid)).toBe(true);
  });

  it('stops everything it started', async () => {
    const pids = [...runtime.functions.values()].flatMap((pool) =>
      pool.instances.map((instance) => instance.pid as number),
    );

    await runtime.stop();

    expect(pids.filter(isRunning)).toEqual([]);
    expect(await answers(runtime.apiUrl)).toBe(false);
    expect(await answers(runtime.providerUrl)).toBe(false);
    if (!process.env.EKBAR_TEST_ENDPOINT) {
      expect(await answers(runtime.endpoint)).toBe(false);
    }
  });
});

describe('startLocalRuntime failure', () => {
  it('rejects when a bundle is missing', async () => {
    useOwnEmulator();
    const empty = new FixtureBundles();

    const start = startLocalRuntime({
      port: 0,
      bundleRoot: empty.root,
      functionOutput: () => undefined,
      logger: silentLogger,
    });

    await expect(start).rejects.toThrow(
      /failed to initialize: bundle .*index\.mjs not found/,
    );
    empty.remove();
  });
});

describe('npm start entry', () => {
  let child: ChildProcess;
  const lines: Record<string, unknown>[] = [];
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) {
        resolve(child.exitCode);
      } else {
        child.once('exit', (code) => resolve(code));
      }
    });

  beforeAll(() => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EKBAR_BUNDLE_ROOT: bundles.root,
      EKBAR_PORT: '0',
      EKBAR_POLLERS_PER_CLASS: '1',
      EKBAR_LOCAL_LOG_LEVEL: 'INFO',
    };
    delete env.AWS_ENDPOINT_URL;
    child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), 'scripts/local/start.ts'],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on(
      'line',
      (line) => {
        try {
          lines.push(JSON.parse(line));
        } catch {
          // A line that is not JSON is not one of the runtime's.
        }
      },
    );
    child.stderr?.resume();
  });

  afterAll(() => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
    }
  });

  it('logs ready, serves and exits 0 on SIGTERM', async () => {
    // Prepare
    const ready = await waitFor(
      () => lines.find((line) => line.message === 'ready'),
      30_000,
      'the ready line',
    );
    const apiUrl = ready.apiUrl as string;
    const endpoint = ready.endpoint as string;

    // Act
    const response = await send(`${apiUrl}/v1/tasks/analytics`, {
      method: 'POST',
      headers: { 'x-api-key': 'local-dev-key' },
      body: '{"event":"page-view"}',
    });
    child.kill('SIGTERM');
    const code = await exited();

    // Assess
    expect(response.status).toBe(202);
    expect(ready.providerUrl).toEqual(expect.stringMatching(/^http:\/\/127/));
    expect(code).toBe(0);
    expect(lines.some((line) => line.message === 'stopped')).toBe(true);
    expect(await answers(endpoint)).toBe(false);
  });
});
