/**
 * `npm run chaos`: runs the local pipeline under each failure scenario
 * with client-like traffic, checks the stores for repeated and lost tasks,
 * and runs a control with protection off that must show repeats.
 */
import { Command, InvalidArgumentError } from 'commander';
import { bundleAll } from '../bundle';
import type { ScenarioResult } from './checker';
import { progress } from './progress';
import { type ChaosReport, failuresOf, formatTable } from './report';
import { type RunSize, runScenario, stopActiveRun } from './scenario-runner';
import { CONTROL, findScenario, SCENARIOS, type Scenario } from './scenarios';

/** Sizes of `--quick` and of the default run. */
const SIZES: Record<'quick' | 'full', RunSize> = {
  quick: { tasks: 80, clients: 8, settleTimeoutMs: 150_000 },
  full: { tasks: 2_000, clients: 16, settleTimeoutMs: 300_000 },
};

interface CliOptions {
  quick?: boolean;
  json?: boolean;
  scenario?: string;
  tasks?: number;
}

const positiveInteger = (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError('must be a positive integer');
  }
  return value;
};

const scenariosOf = (name: string | undefined): Scenario[] => {
  if (name === undefined) {
    return [CONTROL, ...SCENARIOS];
  }
  const scenario = findScenario(name);
  if (!scenario) {
    const names = [...SCENARIOS, CONTROL].map((s) => s.name).join(', ');
    throw new InvalidArgumentError(
      `unknown scenario "${name}"; use one of ${names}`,
    );
  }
  return [scenario];
};

const controlSummary = (result: ScenarioResult): ChaosReport['control'] => ({
  duplicateEffects: result.duplicateEffects,
  accepted: result.accepted,
  completed: result.completed,
  providerReplays:
    (result.faults.provider as { replays?: number } | undefined)?.replays ?? 0,
});

const run = async (options: CliOptions): Promise<number> => {
  const base = options.quick ? SIZES.quick : SIZES.full;
  const size = { ...base, tasks: options.tasks ?? base.tasks };
  const scenarios = scenariosOf(options.scenario);

  progress('chaos', 'bundling functions');
  await bundleAll();
  const report: ChaosReport = { scenarios: [] };
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, size);
    progress(
      scenario.name,
      `done: ${result.accepted} accepted, ${result.completed} completed, ${result.deadLettered} dead-lettered, ${result.duplicateEffects} repeated, ${result.lost} lost`,
    );
    if (scenario === CONTROL) {
      report.control = controlSummary(result);
    } else {
      report.scenarios.push(result);
    }
  }

  process.stdout.write(
    options.json ? `${JSON.stringify(report)}\n` : formatTable(report),
  );
  const failures = failuresOf(report);
  for (const failure of failures) {
    process.stderr.write(`FAILED ${failure}\n`);
  }
  return failures.length === 0 ? 0 : 1;
};

const program = new Command()
  .name('chaos')
  .description(
    'Run the local pipeline under injected faults and check that every accepted task took effect exactly once or was dead-lettered with its reason.',
  )
  .option('--quick', `small run: ${SIZES.quick.tasks} tasks per scenario`)
  .option('--json', 'print one JSON object instead of the table')
  .option(
    '--scenario <name>',
    'run only this scenario: monsoon, power-fluctuation, clock-skew, database-partition or control',
  )
  .option(
    '--tasks <count>',
    `tasks per scenario (default ${SIZES.full.tasks}, or ${SIZES.quick.tasks} with --quick)`,
    positiveInteger,
  )
  .action(async (options: CliOptions) => {
    process.exitCode = await run(options);
  });

// Ctrl-C stops the emulator and function processes of the running scenario.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress('chaos', `stopping on ${signal}`);
    stopActiveRun().finally(() => process.exit(130));
  });
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`chaos run failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
