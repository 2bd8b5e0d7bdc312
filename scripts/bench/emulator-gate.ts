import type { InstrumentableClient } from './request-log';

type Next = (args: unknown) => Promise<unknown>;

/**
 * Lets one request at a time reach the emulator, so that it is a single
 * server whose service time per request the serial runs measure, while
 * our code for other requests runs meanwhile. moto 5.2.1 runs Python on
 * one core at a time (the global interpreter lock). Plain moto_server also
 * fails concurrent TransactWriteItems calls with HTTP 500 ("dictionary
 * changed size during iteration"): 28% of the 3-item transactions of two
 * concurrent clients failed. The repository's wrapper
 * (scripts/local/moto-server.py) now locks DynamoDB operations for that.
 */
export class EmulatorGate {
  #tail: Promise<void> = Promise.resolve();
  enabled = false;

  /** Adds the gate to a client, innermost, around each HTTP attempt. */
  attach(client: unknown): void {
    (client as InstrumentableClient).middlewareStack.add(
      ((next: Next) => (args: unknown) =>
        this.enabled ? this.#through(() => next(args)) : next(args)) as never,
      { step: 'deserialize', priority: 'low', name: 'ekbarBenchGate' },
    );
  }

  async #through<T>(send: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release = () => {};
    this.#tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await send();
    } finally {
      release();
    }
  }
}
