import { Presets, SingleBar } from 'cli-progress';
import type { CliIo } from './output';

/** Progress of a long operation over a known number of items. */
export interface Progress {
  increment(): void;
  /** Raises the total when more items turn up than were counted at first. */
  growTo(total: number): void;
  stop(): void;
}

const SILENT: Progress = {
  increment: () => undefined,
  growTo: () => undefined,
  stop: () => undefined,
};

/**
 * Starts a progress bar on stderr, drawn with cli-progress (throttled
 * redraws and an ETA). It draws nothing when stderr is not a terminal or
 * `enabled` is false, as for `--json`, so piped output stays clean.
 */
export const startProgress = (
  io: CliIo,
  input: { label: string; total: number; enabled: boolean },
): Progress => {
  if (!input.enabled || !io.stderrIsTty) {
    return SILENT;
  }
  const bar = new SingleBar(
    {
      format: `${input.label} [{bar}] {value}/{total} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let total = input.total;
  let value = 0;
  bar.start(total, 0);
  return {
    increment: () => {
      value += 1;
      if (value > total) {
        total = value;
        bar.setTotal(total);
      }
      bar.increment();
    },
    growTo: (next) => {
      if (next > total) {
        total = next;
        bar.setTotal(total);
      }
    },
    stop: () => bar.stop(),
  };
};
