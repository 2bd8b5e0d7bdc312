import { realpathSync } from 'node:fs';
import {
  FunctionCrashedError,
  FunctionHandlerError,
  FunctionInitError,
  FunctionStoppedError,
  FunctionTimeoutError,
} from '../../../scripts/local/function-errors';
import { FunctionPool } from '../../../scripts/local/function-pool';
import {
  FunctionProcess,
  type FunctionProcessOptions,
} from '../../../scripts/local/function-process';
import {
  BEHAVIOUR_HANDLER,
  CALLBACK_HANDLER,
  FixtureBundles,
  INIT_ERROR_HANDLER,
  silentLogger,
  waitFor,
} from './fixtures';

// These fixtures make no AWS calls, but a function process refuses to
// start without an endpoint. Nothing listens on loopback port 9 (discard).
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';

const bundles = new FixtureBundles();
const started: { stop(): Promise<void> }[] = [];
let bundleCount = 0;

const optionsFor = (
  source: string,
  overrides: Partial<FunctionProcessOptions> = {},
): FunctionProcessOptions => ({
  functionName: 'fixture',
  bundleDir: bundles.write(`fn-${bundleCount++}`, source),
  timeoutSeconds: 3,
  memorySizeMb: 128,
  environment: { CUSTOM_VARIABLE: 'custom-value' },
  output: () => undefined,
  logger: silentLogger,
  ...overrides,
});

const startProcess = async (
  source: string,
  overrides: Partial<FunctionProcessOptions> = {},
): Promise<FunctionProcess> => {
  const fn = new FunctionProcess(optionsFor(source, overrides));
  started.push(fn);
  await fn.start();
  return fn;
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  bundles.remove();
});

describe('FunctionProcess', () => {
  it('returns the handler result', async () => {
    // Prepare
    const fn = await startProcess(BEHAVIOUR_HANDLER);

    // Act
    const result = await fn.invoke({ action: 'echo', value: { a: [1, 'b'] } });

    // Assess
    expect(result).toEqual({ a: [1, 'b'] });
  });

  it('passes a Lambda context', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER, {
      functionName: 'consumer-fixture',
      timeoutSeconds: 3,
      memorySizeMb: 256,
    });

    const result = (await fn.invoke({ action: 'context' })) as Record<
      string,
      unknown
    >;

    expect(result.functionName).toBe('consumer-fixture');
    expect(result.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.invokedFunctionArn).toBe(
      'arn:aws:lambda:ap-south-1:123456789012:function:consumer-fixture',
    );
    expect(result.memoryLimitInMB).toBe('256');
    expect(result.remainingMs).toBeGreaterThan(2_000);
    expect(result.remainingMs).toBeLessThanOrEqual(3_000);
    expect(result.callbackWaitsForEmptyEventLoop).toBe(true);
  });

  it('gives the function its own environment only', async () => {
    process.env.EKBAR_RUNNER_ONLY = 'must-not-leak';
    const options = optionsFor(BEHAVIOUR_HANDLER, {
      functionName: 'env-fixture',
    });
    const fn = new FunctionProcess(options);
    started.push(fn);
    await fn.start();
    delete process.env.EKBAR_RUNNER_ONLY;

    const result = (await fn.invoke({ action: 'context' })) as {
      env: Record<string, string | null>;
      cwd: string;
    };

    expect(result.env).toEqual({
      functionName: 'env-fixture',
      timeout: '3',
      endpoint: process.env.AWS_ENDPOINT_URL,
      region: 'ap-south-1',
      accessKeyId: 'test',
      service: 'ekbar',
      custom: 'custom-value',
      runnerOnly: null,
    });
    expect(result.cwd).toBe(realpathSync(options.bundleDir));
  });

  it('rejects with the handler error', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER);

    const invocation = fn.invoke({ action: 'throw', message: 'card declined' });

    await expect(invocation).rejects.toBeInstanceOf(FunctionHandlerError);
    await expect(invocation).rejects.toMatchObject({
      errorType: 'TaskRejectedError',
      errorMessage: 'card declined',
    });
  });

  it('supports callback handlers', async () => {
    const fn = await startProcess(CALLBACK_HANDLER);

    const result = await fn.invoke({ value: 7 });

    expect(result).toEqual({ viaCallback: 7 });
  });

  it('forwards log lines unchanged', async () => {
    const lines: string[] = [];
    const fn = await startProcess(BEHAVIOUR_HANDLER, {
      output: (line) => lines.push(line),
    });
    const json = JSON.stringify({ level: 'INFO', message: 'task done' });

    await fn.invoke({ action: 'log', lines: [json, 'plain'], stderr: 'oops' });

    await waitFor(
      () => (lines.length >= 3 ? true : undefined),
      2_000,
      'three log lines',
    );
    expect(lines).toEqual(expect.arrayContaining([json, 'plain', 'oops']));
  });

  it('recovers after SIGKILL mid-invocation', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER);
    const firstPid = fn.pid as number;
    const invocation = fn.invoke({ action: 'sleep', ms: 5_000 });
    await waitFor(() => (fn.busy ? true : undefined), 2_000, 'busy');

    fn.kill('SIGKILL');

    await expect(invocation).rejects.toBeInstanceOf(FunctionCrashedError);
    await expect(invocation).rejects.toMatchObject({ signal: 'SIGKILL' });
    await expect(fn.invoke({ action: 'echo', value: 'again' })).resolves.toBe(
      'again',
    );
    expect(fn.pid).not.toBe(firstPid);
  });

  it('kills the process on timeout', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER, { timeoutSeconds: 1 });
    const firstPid = fn.pid as number;
    const startedAt = Date.now();

    const invocation = fn.invoke({ action: 'sleep', ms: 4_000 });

    await expect(invocation).rejects.toBeInstanceOf(FunctionTimeoutError);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await waitFor(
      () => (isRunning(firstPid) ? undefined : true),
      2_000,
      'the timed-out process to exit',
    );
    await expect(fn.invoke({ action: 'echo', value: 'next' })).resolves.toBe(
      'next',
    );
  });

  it('recovers after the handler exits', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER);

    const invocation = fn.invoke({ action: 'exit', code: 3 });

    await expect(invocation).rejects.toMatchObject({
      name: 'FunctionCrashedError',
      exitCode: 3,
    });
    await expect(fn.invoke({ action: 'echo', value: 1 })).resolves.toBe(1);
  });

  it('runs one invocation at a time', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER);
    const startedAt = Date.now();

    await Promise.all([
      fn.invoke({ action: 'sleep', ms: 300 }),
      fn.invoke({ action: 'sleep', ms: 300 }),
    ]);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
  });

  it('fails to start on an import error', async () => {
    const fn = new FunctionProcess(optionsFor(INIT_ERROR_HANDLER));
    started.push(fn);

    const start = fn.start();

    await expect(start).rejects.toBeInstanceOf(FunctionInitError);
    await expect(start).rejects.toThrow('EXAMPLE_TABLE is not set');
  });

  it('fails to start without the handler export', async () => {
    const fn = new FunctionProcess(optionsFor('export const other = () => 1;'));
    started.push(fn);

    await expect(fn.start()).rejects.toThrow(
      'exports no function named "handler"',
    );
  });

  it('fails to start without a bundle', async () => {
    const fn = new FunctionProcess({
      ...optionsFor(BEHAVIOUR_HANDLER),
      bundleDir: `${bundles.root}/missing`,
    });
    started.push(fn);

    await expect(fn.start()).rejects.toThrow(/index\.mjs not found/);
  });

  it('rejects invocations after stop', async () => {
    const fn = await startProcess(BEHAVIOUR_HANDLER);

    await fn.stop();

    await expect(
      fn.invoke({ action: 'echo', value: 1 }),
    ).rejects.toBeInstanceOf(FunctionStoppedError);
  });
});

describe('FunctionPool', () => {
  it('runs invocations on separate processes', async () => {
    const pool = new FunctionPool({
      ...optionsFor(BEHAVIOUR_HANDLER),
      concurrency: 2,
    });
    started.push(pool);
    await pool.start();
    const startedAt = Date.now();

    const results = (await Promise.all([
      pool.invoke({ action: 'sleep', ms: 1_000 }),
      pool.invoke({ action: 'sleep', ms: 1_000 }),
    ])) as { pid: number }[];

    expect(Date.now() - startedAt).toBeLessThan(1_900);
    expect(results[0]?.pid).not.toBe(results[1]?.pid);
  });

  it('queues invocations beyond its concurrency', async () => {
    const pool = new FunctionPool({
      ...optionsFor(BEHAVIOUR_HANDLER),
      concurrency: 1,
    });
    started.push(pool);
    await pool.start();
    const startedAt = Date.now();

    await Promise.all([
      pool.invoke({ action: 'sleep', ms: 300 }),
      pool.invoke({ action: 'sleep', ms: 300 }),
    ]);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
    expect(pool.busyInstances).toEqual([]);
  });
});
