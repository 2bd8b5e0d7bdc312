import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  FunctionCrashedError,
  FunctionHandlerError,
  FunctionInitError,
  FunctionStoppedError,
  FunctionTimeoutError,
} from './function-errors';
import type {
  ChildMessage,
  InvocationContext,
  InvokeMessage,
} from './function-protocol';
import {
  type FunctionConfiguration,
  functionArnOf,
  lambdaEnvironment,
  logStreamNameOf,
} from './lambda-environment';
import { localLogger } from './local-logger';

/** Script that each function process runs. */
const HOST_SCRIPT = join(__dirname, 'function-host.ts');

/** Limit of the Lambda init phase (importing the bundle), in milliseconds. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

/** Milliseconds that stop() waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 2_000;

export interface FunctionProcessOptions extends FunctionConfiguration {
  /** Folder holding the bundle's `index.mjs`, like the Lambda task root. */
  readonly bundleDir: string;
  /** Name of the handler export. @default 'handler' */
  readonly handlerExport?: string;
  /** Milliseconds allowed for importing the bundle. @default 10000 */
  readonly initTimeoutMs?: number;
  /**
   * Receives each line the function writes to stdout or stderr, unchanged.
   * @default writes the line to the runtime's stdout
   */
  readonly output?: (line: string) => void;
  readonly logger?: Logger;
}

interface RunningInvocation {
  readonly invocationId: string;
  readonly child: ChildProcess;
  readonly timer: NodeJS.Timeout;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

const writeToStdout = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const forwardLines = (
  stream: Readable | null,
  output: (line: string) => void,
): void => {
  if (stream) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', output);
  }
};

const isAlive = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null && child.connected;

/**
 * One Lambda execution environment: a Node child process that imports the
 * function's bundle and runs one invocation at a time, as Lambda does.
 * An invocation that exceeds the function timeout gets its process killed
 * with SIGKILL and fails. When the process dies, the running invocation
 * fails and a new process starts (a cold start). Log lines of the function
 * are forwarded unchanged.
 *
 * NOTE: Lambda freezes an environment between invocations, so timers a
 * handler leaves running pause there; here they keep running.
 */
export class FunctionProcess {
  readonly functionName: string;
  private readonly options: FunctionProcessOptions;
  private readonly logger: Logger;
  private child: ChildProcess | undefined;
  private ready: Promise<ChildProcess> | undefined;
  private current: RunningInvocation | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private logStreamName = '';

  constructor(options: FunctionProcessOptions) {
    if (!(options.timeoutSeconds > 0)) {
      throw new RangeError(
        `timeoutSeconds of ${options.functionName} must be greater than 0, got ${options.timeoutSeconds}`,
      );
    }
    this.functionName = options.functionName;
    this.options = options;
    this.logger = options.logger ?? localLogger;
  }

  /** Process id of the current child, or undefined between processes. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether an invocation is running now. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /**
   * Starts the process and waits until the bundle is imported.
   * @throws FunctionInitError when the import fails or takes too long
   */
  async start(): Promise<void> {
    await this.ensureReady();
  }

  /**
   * Runs the handler with this event and resolves with its result after a
   * JSON round trip, as Lambda returns it. Invocations wait for each other.
   * @throws FunctionHandlerError, FunctionTimeoutError,
   * FunctionCrashedError, FunctionInitError or FunctionStoppedError
   */
  invoke(event: unknown): Promise<unknown> {
    const run = this.queue.then(() => this.runInvocation(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends a signal to the current process, as a crash test does.
   * @returns whether a process received the signal
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    return this.child?.kill(signal) ?? false;
  }

  /** Stops the process; a running invocation fails with FunctionStoppedError. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(escalation);
  }

  private ensureReady(): Promise<ChildProcess> {
    if (this.stopped) {
      return Promise.reject(new FunctionStoppedError(this.functionName));
    }
    if (!this.ready) {
      const ready = this.launch();
      this.ready = ready;
      ready.catch(() => {
        if (this.ready === ready) {
          this.ready = undefined;
        }
      });
    }
    return this.ready;
  }

  private launch(): Promise<ChildProcess> {
    const bundleFile = join(this.options.bundleDir, 'index.mjs');
    if (!existsSync(bundleFile)) {
      return Promise.reject(
        new FunctionInitError(
          this.functionName,
          `bundle ${bundleFile} not found; run "npm run build" or point bundleRoot at a folder with NAME/index.mjs`,
        ),
      );
    }
    const startedAt = Date.now();
    this.logStreamName = logStreamNameOf();
    const child = this.spawnHost(bundleFile);
    this.child = child;
    return this.waitUntilReady(child, startedAt);
  }

  private spawnHost(bundleFile: string): ChildProcess {
    const { bundleDir, handlerExport } = this.options;
    const output = this.options.output ?? writeToStdout;
    const child = fork(HOST_SCRIPT, [bundleFile, handlerExport ?? 'handler'], {
      cwd: bundleDir,
      env: lambdaEnvironment(this.options, this.logStreamName, bundleDir),
      execArgv: [
        '--require',
        require.resolve('tsx/cjs'),
        // The AWS SDK warns on every cold start that it will soon need a
        // newer Node than the local one; deployed functions run on the
        // Lambda runtime, so the warning does not apply to them.
        '--disable-warning=NodeVersionSupportWarning',
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group keeps a terminal's Ctrl-C from reaching it,
      // so that the runtime stops it in order.
      detached: true,
    });
    forwardLines(child.stdout, output);
    forwardLines(child.stderr, output);
    return child;
  }

  /**
   * Resolves when the host reports that the bundle is imported, and routes
   * the child's later messages and its exit for the whole of its life.
   */
  private waitUntilReady(
    child: ChildProcess,
    startedAt: number,
  ): Promise<ChildProcess> {
    const initTimeoutMs = this.options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    return new Promise<ChildProcess>((resolve, reject) => {
      let isReady = false;
      const fail = (detail: string): void => {
        clearTimeout(timer);
        reject(new FunctionInitError(this.functionName, detail));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`the bundle was not imported within ${initTimeoutMs} ms`);
      }, initTimeoutMs);

      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          isReady = true;
          clearTimeout(timer);
          this.logger.info('function started', {
            functionName: this.functionName,
            pid: child.pid,
            initDurationMs: Date.now() - startedAt,
          });
          resolve(child);
        } else if (message.type === 'init-error') {
          fail(`${message.error.errorType}: ${message.error.errorMessage}`);
        } else {
          this.settle(child, message);
        }
      });
      child.once('error', (error) => fail(error.message));
      child.once('exit', (code, signal) => {
        const how = signal ? `on signal ${signal}` : `with code ${code}`;
        fail(`the process exited ${how} before it was ready`);
        this.onExit(child, isReady, code, signal);
      });
    });
  }

  private async runInvocation(event: unknown): Promise<unknown> {
    const child = await this.ensureReady();
    if (!isAlive(child)) {
      throw new FunctionCrashedError(
        this.functionName,
        child.exitCode,
        child.signalCode,
      );
    }

    return new Promise((resolve, reject) => {
      const { timeoutSeconds } = this.options;
      const invocationId = randomUUID();
      const timer = setTimeout(
        () => this.timeOut(invocationId),
        timeoutSeconds * 1000,
      );
      this.current = { invocationId, child, timer, resolve, reject };
      const message: InvokeMessage = {
        type: 'invoke',
        invocationId,
        event,
        context: this.contextOf(invocationId, timeoutSeconds),
      };
      child.send(message);
    });
  }

  private contextOf(
    awsRequestId: string,
    timeoutSeconds: number,
  ): InvocationContext {
    const { functionName, memorySizeMb } = this.options;
    return {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArnOf(functionName),
      memoryLimitInMB: String(memorySizeMb),
      awsRequestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: this.logStreamName,
      deadlineMs: Date.now() + timeoutSeconds * 1000,
    };
  }

  private settle(child: ChildProcess, message: ChildMessage): void {
    const current = this.current;
    if (
      !current ||
      current.child !== child ||
      (message.type !== 'result' && message.type !== 'error') ||
      message.invocationId !== current.invocationId
    ) {
      return;
    }
    this.current = undefined;
    clearTimeout(current.timer);
    if (message.type === 'result') {
      current.resolve(JSON.parse(message.payload));
    } else {
      current.reject(
        new FunctionHandlerError(this.functionName, message.error),
      );
    }
  }

  private timeOut(invocationId: string): void {
    const current = this.current;
    if (!current || current.invocationId !== invocationId) {
      return;
    }
    this.current = undefined;
    this.logger.warn('function timed out', {
      functionName: this.functionName,
      pid: current.child.pid,
      awsRequestId: invocationId,
      timeoutSeconds: this.options.timeoutSeconds,
    });
    this.discard(current.child);
    current.child.kill('SIGKILL');
    current.reject(
      new FunctionTimeoutError(this.functionName, this.options.timeoutSeconds),
    );
    this.relaunch();
  }

  private onExit(
    child: ChildProcess,
    wasReady: boolean,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    const wasCurrentChild = this.child === child;
    this.discard(child);

    const current = this.current;
    if (current && current.child === child) {
      this.current = undefined;
      clearTimeout(current.timer);
      current.reject(
        this.stopped
          ? new FunctionStoppedError(this.functionName)
          : new FunctionCrashedError(this.functionName, code, signal),
      );
    }

    if (wasCurrentChild && wasReady && !this.stopped) {
      this.logger.warn('function process exited; starting a new one', {
        functionName: this.functionName,
        pid: child.pid,
        exitCode: code,
        signal,
      });
      this.relaunch();
    }
  }

  private discard(child: ChildProcess): void {
    if (this.child === child) {
      this.child = undefined;
      this.ready = undefined;
    }
  }

  /** Starts a new process at once so the next invocation finds it warm. */
  private relaunch(): void {
    if (this.stopped) {
      return;
    }
    this.ensureReady().catch((error: Error) => {
      this.logger.error('function restart failed', {
        functionName: this.functionName,
        error,
      });
    });
  }
}
