import type { ScenarioResult } from './checker';

/** The `--json` output: one object for the whole run. */
export interface ChaosReport {
  scenarios: ScenarioResult[];
  control?: {
    duplicateEffects: number;
    accepted: number;
    completed: number;
    /** Repeated notifications the provider dropped by Idempotency-Key. */
    providerReplays: number;
  };
}

/**
 * Returns the failures of a report against the acceptance rule: every
 * scenario accepted tasks and has no repeated effect and no lost task,
 * and the control shows repeated effects. Empty when it passes.
 */
export const failuresOf = (report: ChaosReport): string[] => {
  const failures: string[] = [];
  for (const scenario of report.scenarios) {
    if (scenario.accepted === 0) {
      failures.push(`${scenario.name}: no task was accepted`);
    }
    if (scenario.duplicateEffects > 0) {
      failures.push(
        `${scenario.name}: ${scenario.duplicateEffects} repeated effects, for example task ${scenario.examples.duplicated[0]}`,
      );
    }
    if (scenario.lost > 0) {
      failures.push(
        `${scenario.name}: ${scenario.lost} lost tasks, for example task ${scenario.examples.lost[0]}`,
      );
    }
  }
  if (report.control && report.control.duplicateEffects === 0) {
    failures.push(
      'control: no repeated effect with protection off, so the checker did not show that it can fail',
    );
  }
  return failures;
};

const pad = (value: string | number, width: number): string =>
  String(value).padStart(width);

/** Formats the report as a Markdown table with dead-letter reasons below. */
export const formatTable = (report: ChaosReport): string => {
  const lines = [
    '| scenario | accepted | completed | dead-lettered | duplicate effects | lost | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of report.scenarios) {
    lines.push(
      `| ${s.name} | ${pad(s.accepted, 5)} | ${pad(s.completed, 5)} | ${pad(s.deadLettered, 5)} | ${pad(s.duplicateEffects, 3)} | ${pad(s.lost, 3)} | ${pad(s.latencyMs.p50, 6)} | ${pad(s.latencyMs.p99, 6)} |`,
    );
  }
  if (report.control) {
    const c = report.control;
    lines.push(
      `| control (protection off) | ${pad(c.accepted, 5)} | ${pad(c.completed, 5)} | | ${pad(c.duplicateEffects, 3)} | | | |`,
    );
  }
  const reasons = report.scenarios.flatMap((s) =>
    Object.entries(s.deadLetterReasons).map(
      ([reason, count]) => `- ${s.name}: ${count} × ${reason}`,
    ),
  );
  if (reasons.length > 0) {
    lines.push('', 'Dead-letter reasons:', '', ...reasons);
  }
  return `${lines.join('\n')}\n`;
};
