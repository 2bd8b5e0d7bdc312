import { type ChildProcess, spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A running AWS emulator, or an external one named by AWS_ENDPOINT_URL. */
export interface Emulator {
  readonly endpoint: string;
  /** Whether this process started the emulator and so must stop it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

/** Host names of the loopback interface, as a URL spells them. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Reports whether a URL points at this machine's loopback interface. */
export const isLoopbackUrl = (url: string | URL): boolean =>
  LOOPBACK_HOSTS.has(new URL(url).hostname);

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
    if (child.pid === undefined) {
      throw new Error('moto_server could not be started');
    }
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
    `moto_server did not respond on ${endpoint} within ${timeoutMs} ms`,
  );
};

/** Wrapper that serializes the moto operations which race under load. */
const LOCKED_SERVER = join(__dirname, 'moto-server.py');

/** Exit status of the wrapper when Python cannot import moto. */
const MOTO_NOT_IMPORTABLE = 3;

/** A moto process and the tail of what it wrote on stderr. */
interface MotoProcess {
  readonly child: ChildProcess;
  stderr(): string;
}

const spawnMoto = (command: string, args: string[]): MotoProcess => {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // A missing command is reported by waitUntilReady through the exit code.
  child.on('error', (error) => {
    stderr += `\n${command}: ${error.message}`;
  });
  return { child, stderr: () => stderr };
};

/**
 * Starts moto through the locking wrapper with python3 and waits until it
 * responds. When that python3 cannot import moto (moto installed with pipx,
 * say), it starts the plain `moto_server` command instead.
 */
const startMoto = async (
  endpoint: string,
  port: number,
  timeoutMs: number,
): Promise<MotoProcess> => {
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  let moto = spawnMoto('python3', [LOCKED_SERVER, ...args]);
  try {
    await waitUntilReady(endpoint, moto.child, timeoutMs);
    return moto;
  } catch (error) {
    // No python3 at all, or one without moto: try the plain command.
    const unusable =
      moto.child.pid === undefined ||
      moto.child.exitCode === MOTO_NOT_IMPORTABLE;
    moto.child.kill('SIGKILL');
    if (!unusable) {
      throw new Error(`${(error as Error).message}\n${moto.stderr()}`);
    }
  }
  moto = spawnMoto('moto_server', args);
  try {
    await waitUntilReady(endpoint, moto.child, timeoutMs);
  } catch (error) {
    moto.child.kill('SIGKILL');
    throw new Error(
      `${(error as Error).message}; install moto 5 with "pip install 'moto[server]'" or set AWS_ENDPOINT_URL to a running emulator\n${moto.stderr()}`,
    );
  }
  return moto;
};

/**
 * Raises an error that names AWS_ENDPOINT_URL when no HTTP server responds
 * there. Any status counts as a response, since emulators differ in what
 * they serve at their root.
 */
const requireResponse = async (endpoint: string): Promise<void> => {
  // node:http rather than fetch, which refuses some ports that the SDK
  // would still use, such as 6000.
  const get = endpoint.startsWith('https:') ? httpsGet : httpGet;
  try {
    await new Promise<void>((resolve, reject) => {
      const request = get(endpoint, { timeout: 5_000 }, (response) => {
        response.resume();
        resolve();
      });
      request.on('timeout', () =>
        request.destroy(new Error('timed out after 5 s')),
      );
      request.on('error', reject);
    });
  } catch (error) {
    throw new Error(
      `AWS_ENDPOINT_URL is ${endpoint}, but no server responds there (${(error as Error).message}); start the emulator at that address, or unset AWS_ENDPOINT_URL so that a moto_server is started on a free loopback port`,
    );
  }
};

/**
 * Uses the emulator at AWS_ENDPOINT_URL when it is set, unless
 * `ignoreEnvironment` is true. Otherwise it starts `moto_server` on a free
 * loopback port and waits until it responds.
 */
export const startEmulator = async (
  options: { timeoutMs?: number; ignoreEnvironment?: boolean } = {},
): Promise<Emulator> => {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external && !options.ignoreEnvironment) {
    await requireResponse(external);
    return { endpoint: external, owned: false, stop: async () => {} };
  }

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { child } = await startMoto(
    endpoint,
    port,
    options.timeoutMs ?? 30_000,
  );

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
