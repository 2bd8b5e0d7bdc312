import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A running AWS emulator, or an external one named by AWS_ENDPOINT_URL. */
export interface Emulator {
  readonly endpoint: string;
  /** Whether this process started the emulator and so must stop it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

/** Returns a free TCP port on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const waitUntilReady = async (
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `moto_server exited with code ${child.exitCode} before it was ready`,
      );
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `moto_server did not answer on ${endpoint} within ${timeoutMs} ms`,
  );
};

/**
 * Uses the emulator at AWS_ENDPOINT_URL when it is set (unless
 * `ignoreEnvironment` is true); otherwise starts `moto_server` on a free
 * loopback port and waits until it answers.
 */
export const startEmulator = async (
  options: { timeoutMs?: number; ignoreEnvironment?: boolean } = {},
): Promise<Emulator> => {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external && !options.ignoreEnvironment) {
    return { endpoint: external, owned: false, stop: async () => {} };
  }

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot start moto_server (${error.message}); install moto 5 with "pip install 'moto[server]'" or set AWS_ENDPOINT_URL to a running emulator`,
        ),
      ),
    );
  });

  try {
    await Promise.race([
      waitUntilReady(endpoint, child, options.timeoutMs ?? 30_000),
      spawnFailed,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }

  return {
    endpoint,
    owned: true,
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

/**
 * Sets the variables the AWS SDK reads so that every client in this process
 * and its children talks to the emulator with dummy credentials.
 */
export const useEmulatorEnvironment = (endpoint: string): void => {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION ??= 'ap-south-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  // Lambda runs Node.js 22; the SDK's notice about Node.js 20 only applies
  // to the machine running the emulator.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
};
