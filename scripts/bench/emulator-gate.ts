import { spawn } from 'node:child_process';
import { join } from 'node:path';

const GATE_SERVER = join(__dirname, 'gate-server.ts');

/** Milliseconds to wait for the gate to print its URL. */
const START_TIMEOUT_MS = 20_000;

/** A running emulator gate (gate-server.ts). */
export interface EmulatorGate {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the emulator gate in front of the emulator at `emulatorUrl`. The
 * gate runs in a process of its own, so a busy benchmark process never
 * delays the emulator's next request. The emulator then waits only when
 * our code has not yet sent the next request.
 */
export const startEmulatorGate = (emulatorUrl: string): Promise<EmulatorGate> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', GATE_SERVER, emulatorUrl],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the emulator gate did not start in ${START_TIMEOUT_MS} ms`),
      );
    }, START_TIMEOUT_MS);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) {
        clearTimeout(timer);
        resolve({
          endpoint: line.trim(),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) {
                done();
                return;
              }
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the emulator gate ended with ${signal ?? `exit code ${code}`} before it started; its error is printed above`,
        ),
      );
    });
  });
