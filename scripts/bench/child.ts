import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerResult } from './results';
import type { WorkerRequest } from './worker';

const WORKER = join(__dirname, 'worker.ts');

/** Milliseconds after which a worker is stopped and the run fails. */
const WORKER_TIMEOUT_MS = 15 * 60_000;

/** Workers still running, stopped when the main process is interrupted. */
const running = new Set<ReturnType<typeof spawn>>();

/** Sends SIGTERM to every worker; each stops its own moto_server. */
export const stopWorkers = (): void => {
  for (const child of running) {
    child.kill('SIGTERM');
  }
};

/**
 * Runs one worker in a new Node.js process through tsx. Its standard
 * output, where the functions log, is discarded; its standard error shows
 * progress; its result arrives over IPC.
 */
export const runWorker = (request: WorkerRequest): Promise<WorkerResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, JSON.stringify(request)],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    running.add(child);
    let result: WorkerResult | undefined;
    const timer = setTimeout(() => child.kill('SIGTERM'), WORKER_TIMEOUT_MS);

    child.on('message', (message) => {
      result = message as WorkerResult;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0 && result) {
        resolve(result);
        return;
      }
      reject(
        new Error(
          `benchmark worker for ${request.className} (${request.mode}) ended with ${signal ?? `exit code ${code}`}; its error is printed above`,
        ),
      );
    });
  });
