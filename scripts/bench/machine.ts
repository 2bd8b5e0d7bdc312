import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The machine a run measured, for the results page. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly moto: string;
  /** One-minute load average when the run started and ended. */
  readonly loadAverage: { start: number; end?: number };
}

const motoVersion = (): string => {
  try {
    return execFileSync('python3', [
      '-c',
      'import moto; print(moto.__version__)',
    ])
      .toString()
      .trim();
  } catch {
    return 'unknown (python3 cannot import moto)';
  }
};

/** Describes this machine and its load now. */
export const describeMachine = (): Machine => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: availableParallelism(),
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  moto: motoVersion(),
  loadAverage: { start: loadavg()[0] as number },
});

/** One-minute load average now. */
export const currentLoad = (): number => loadavg()[0] as number;
