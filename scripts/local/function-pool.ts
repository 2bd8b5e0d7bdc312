import { FunctionStoppedError } from './function-errors';
import {
  FunctionProcess,
  type FunctionProcessOptions,
} from './function-process';

export interface FunctionPoolOptions extends FunctionProcessOptions {
  /** Number of processes, the function's maximum concurrency. */
  readonly concurrency: number;
}

/**
 * A function with a fixed number of execution environments. Each
 * invocation runs on an idle process, or waits for one in arrival order,
 * so that no process ever runs two invocations at once.
 */
export class FunctionPool {
  readonly functionName: string;
  readonly instances: readonly FunctionProcess[];
  private readonly idle: FunctionProcess[];
  private readonly waiters: {
    resolve(instance: FunctionProcess): void;
    reject(error: Error): void;
  }[] = [];
  private stopped = false;

  constructor(options: FunctionPoolOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(
        `concurrency of ${options.functionName} must be an integer of at least 1, got ${options.concurrency}`,
      );
    }
    this.functionName = options.functionName;
    this.instances = Array.from(
      { length: options.concurrency },
      () => new FunctionProcess(options),
    );
    this.idle = [...this.instances];
  }

  /** Processes running an invocation now, for tests that kill one. */
  get busyInstances(): FunctionProcess[] {
    return this.instances.filter((instance) => instance.busy);
  }

  /**
   * Starts every process and waits until each has imported the bundle.
   * @throws FunctionInitError when a bundle cannot be imported
   */
  async start(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.start()));
  }

  /** Runs one invocation on an idle process; see FunctionProcess.invoke. */
  async invoke(event: unknown): Promise<unknown> {
    const instance = await this.acquire();
    try {
      return await instance.invoke(event);
    } finally {
      this.release(instance);
    }
  }

  /** Stops every process and fails the invocations still waiting. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new FunctionStoppedError(this.functionName));
    }
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }

  private acquire(): Promise<FunctionProcess> {
    if (this.stopped) {
      return Promise.reject(new FunctionStoppedError(this.functionName));
    }
    const instance = this.idle.shift();
    if (instance) {
      return Promise.resolve(instance);
    }
    return new Promise((resolve, reject) =>
      this.waiters.push({ resolve, reject }),
    );
  }

  private release(instance: FunctionProcess): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(instance);
    } else {
      this.idle.push(instance);
    }
  }
}
