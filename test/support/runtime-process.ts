import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The local runtime started as a child process, as `npm start` runs it. */
export interface RuntimeProcess {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly providerUrl: string;
  readonly endpoint: string;
  /** Every JSON line printed so far, runtime and function logs alike. */
  readonly lines: Record<string, unknown>[];
  /** Everything printed so far on stdout and stderr, as text. */
  output(): string;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Starts `scripts/local/start.ts` in a child process on a free port, with
 * its own moto_server, and resolves when it logs `ready`. The bundles from
 * the test run's global setup are reused.
 */
export const startRuntimeProcess = async (
  environment: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<RuntimeProcess> => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    EKBAR_PORT: '0',
    EKBAR_BUNDLE_ROOT: join(ROOT, 'dist', 'functions'),
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...environment,
  };
  delete env.AWS_ENDPOINT_URL;
  if (process.env.EKBAR_TEST_ENDPOINT) {
    env.AWS_ENDPOINT_URL = process.env.EKBAR_TEST_ENDPOINT;
  }

  // Started with node directly: npx and npm do not pass SIGTERM on.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('tsx/cjs'),
      join(ROOT, 'scripts', 'local', 'start.ts'),
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  const chunks: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
  });

  const ready = await new Promise<Record<string, unknown>>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `local runtime not ready within ${timeoutMs} ms\n${stderr}`,
          ),
        );
      }, timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`local runtime exited with code ${code}\n${stderr}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on(
        'line',
        (line) => {
          if (!line.startsWith('{')) {
            return;
          }
          try {
            const parsed = JSON.parse(line) as Record<string, unknown>;
            lines.push(parsed);
            if (parsed.message === 'ready') {
              clearTimeout(timer);
              resolve(parsed);
            }
          } catch {
            // A line that only looks like JSON; not ours to parse.
          }
        },
      );
    },
  );

  return {
    apiUrl: ready.apiUrl as string,
    apiKey: (environment.EKBAR_API_KEYS ?? 'local-dev-key').split(
      ',',
    )[0] as string,
    providerUrl: ready.providerUrl as string,
    endpoint: ready.endpoint as string,
    lines,
    output: () => chunks.join(''),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

/** Polls `check` every 250 ms until it returns a value or time runs out. */
export const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};
