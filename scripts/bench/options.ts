import type { CpuSettings } from './cpu-phase';
import type { ThroughputSettings } from './throughput-phase';

/** How much a run measures. */
export interface BenchOptions {
  readonly json: boolean;
  readonly quick: boolean;
  /** Consumer batches per class in the request count. */
  readonly requestBatches: number;
  readonly cpu: CpuSettings;
  readonly throughput: ThroughputSettings;
  /** Fresh-process loads of each bundle. */
  readonly loadRuns: number;
}

export const USAGE = `Usage: npm run bench -- [--json] [--quick]

Measures what exactly-once costs per task against a private moto_server on
127.0.0.1, next to a baseline with EKBAR_PROTECTION=off, and exits 1 when a
target is missed.

  --json    print one JSON object on standard output; progress goes to
            standard error
  --quick   fewer tasks and iterations (about a third of the run time),
            for a smoke test; the figures are noisier
  --help    print this text
`;

/** Error for an unknown command-line option, which the message names. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the command line; throws UsageError for an unknown option. */
export const parseOptions = (args: readonly string[]): BenchOptions | null => {
  const known = new Set(['--json', '--quick', '--help']);
  const unknown = args.find((arg) => !known.has(arg));
  if (unknown !== undefined) {
    throw new UsageError(`unknown option "${unknown}"\n\n${USAGE}`);
  }
  if (args.includes('--help')) {
    return null;
  }
  const quick = args.includes('--quick');
  return {
    json: args.includes('--json'),
    quick,
    requestBatches: quick ? 1 : 2,
    cpu: quick
      ? { warmup: 30, iterations: 150 }
      : { warmup: 200, iterations: 1_000 },
    throughput: {
      rounds: quick ? 2 : 4,
      serialTasks: 5,
      // Long enough runs that the start, when only ingest has work, and
      // the end, when only the last batch has, weigh little.
      pipelinedTasks: quick ? 20 : 40,
      // Enough callers and pollers that a request of one of them waits at
      // the emulator gate while the others run our code.
      ingestConcurrency: 3,
      pollers: 3,
      timeoutMs: 120_000,
    },
    loadRuns: quick ? 5 : 21,
  };
};
