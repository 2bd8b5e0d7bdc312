import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { buildBundles } from './bundles';
import { runWorker, stopWorkers } from './child';
import { buildFigures } from './figures';
import { measureLoadTimes } from './load-time';
import { currentLoad, describeMachine } from './machine';
import { type BenchOptions, parseOptions, USAGE, UsageError } from './options';
import { startProvider } from './provider';
import { renderReport } from './report';
import { MODES, type WorkerResult } from './results';
import { checkTargets } from './targets';

const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** Measures every class in both modes, one worker at a time. */
const measureClasses = async (
  options: BenchOptions,
  providerUrl: string,
): Promise<WorkerResult[]> => {
  const results: WorkerResult[] = [];
  for (const definition of TASK_CLASSES) {
    for (const mode of MODES) {
      progress(`${definition.name} (${mode})`);
      results.push(
        await runWorker({
          mode,
          className: definition.name,
          providerUrl,
          requestBatches: options.requestBatches,
          cpu: options.cpu,
          throughput: options.throughput,
        }),
      );
    }
  }
  return results;
};

const measureBundles = async (options: BenchOptions, outDir: string) => {
  progress('bundling the functions and the three comparison consumers');
  const bundles = await buildBundles(outDir);
  progress(`loading each bundle ${options.loadRuns} times`);
  const loadTimes = await measureLoadTimes(bundles, options.loadRuns, (round) =>
    progress(`load round ${round} of ${options.loadRuns} done`),
  );
  return { bundles, loadTimes };
};

const run = async (options: BenchOptions): Promise<number> => {
  const started = new Date();
  const machine = describeMachine();
  if (machine.loadAverage.start > machine.cores) {
    progress(
      `warning: load average ${machine.loadAverage.start} is above ${machine.cores} cores; timing figures will be noisy`,
    );
  }
  const outDir = mkdtempSync(join(tmpdir(), 'ekbar-bench-'));
  const provider = await startProvider();
  const cleanUp = async () => {
    stopWorkers();
    await provider.stop();
    rmSync(outDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanUp().finally(() => process.exit(130));
  });

  try {
    const results = await measureClasses(options, provider.url);
    const { bundles, loadTimes } = await measureBundles(options, outDir);
    const figures = buildFigures({
      date: started,
      command: `npm run bench${options.quick ? ' -- --quick' : ''}`,
      machine: {
        ...machine,
        loadAverage: { ...machine.loadAverage, end: currentLoad() },
      },
      classNames: TASK_CLASSES.map((definition) => definition.name),
      results,
      bundles,
      loadTimes,
    });
    const targets = checkTargets(figures);
    const missed = targets.filter((target) => !target.met);

    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ ...figures, targets, targetsMet: missed.length === 0 }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(renderReport(figures, targets));
    }
    for (const target of missed) {
      progress(`target missed: ${target.target}; measured ${target.measured}`);
    }
    return missed.length === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
};

/**
 * `npm run bench`: what exactly-once costs per task in AWS requests,
 * money, CPU time and cold start, next to a baseline with protection off.
 * Exits 1 when a target is missed and 2 when the benchmark itself fails.
 */
const main = async (): Promise<void> => {
  let options: BenchOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (options === null) {
    process.stdout.write(USAGE);
    return;
  }
  process.exitCode = await run(options);
};

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(2);
});
