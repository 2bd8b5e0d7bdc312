import type { GroundTruth } from './ground-truth';
import type { TrafficResult } from './load-generator';
import type { Intent } from './task-factory';

/** Result of one scenario, in the shape of the `--json` output. */
export interface ScenarioResult {
  name: string;
  accepted: number;
  completed: number;
  deadLettered: number;
  duplicateEffects: number;
  lost: number;
  latencyMs: { p50: number; p99: number };
  /** Dead-lettered tasks by reason, ids and numbers replaced. */
  deadLetterReasons: Record<string, number>;
  /** Lost tasks and tasks with a repeated effect, 20 each, with class and behaviour. */
  examples: { lost: string[]; duplicated: string[] };
  /** Tasks that took effect although no client got a 202 for them. */
  effectsWithoutAcceptance: number;
  /** Faults the harness applied: proxy counters, kills, API responses. */
  faults: Record<string, unknown>;
}

/** Effects of one intent in the stores and when the first one happened. */
interface IntentEffects {
  count: number;
  firstAtMs: number;
}

const NONE: IntentEffects = { count: 0, firstAtMs: Number.NaN };

const analyticsCounterPk = (intent: Intent): string => {
  const body = intent.body as { name: string; entityId: string };
  return `COUNTER#${body.name}#${body.entityId}`;
};

/**
 * Counts the effects of one intent. Payments count ledger entry pairs,
 * health records their `created` audit entries, notifications the
 * provider's deliveries and analytics events their own counter (or, on a
 * shared counter, the marker of the event).
 */
const effectsOf = (intent: Intent, truth: GroundTruth): IntentEffects => {
  const statusTime = truth.tasks.get(intent.taskId)?.updatedAtMs ?? Number.NaN;
  switch (intent.className) {
    case 'payment': {
      const entries = truth.ledgerEntries.get(intent.taskId);
      if (entries) {
        return {
          count: Math.ceil(entries.count / 2),
          firstAtMs: entries.firstAtMs,
        };
      }
      return truth.heldPayments.has(intent.taskId)
        ? { count: 1, firstAtMs: statusTime }
        : NONE;
    }
    case 'health-record':
      return truth.auditCreated.get(intent.taskId) ?? NONE;
    case 'notification': {
      const id = String(
        (intent.body as { notificationId: string }).notificationId,
      );
      return truth.deliveries.get(id) ?? NONE;
    }
    default: {
      if (intent.sharedCounter !== undefined) {
        return truth.analyticsMarkers.has(intent.taskId)
          ? { count: 1, firstAtMs: statusTime }
          : NONE;
      }
      const count = truth.counters.get(analyticsCounterPk(intent)) ?? 0;
      return { count, firstAtMs: statusTime };
    }
  }
};

/**
 * Returns the repeats on shared counters: a counter's value beyond the
 * number of its events that took effect.
 */
const sharedCounterRepeats = (
  intents: readonly Intent[],
  truth: GroundTruth,
): number => {
  const applied = new Map<string, number>();
  for (const intent of intents) {
    if (intent.sharedCounter !== undefined) {
      const pk = analyticsCounterPk(intent);
      const marker = truth.analyticsMarkers.has(intent.taskId) ? 1 : 0;
      applied.set(pk, (applied.get(pk) ?? 0) + marker);
    }
  }
  let repeats = 0;
  for (const [pk, count] of applied) {
    repeats += Math.max(0, (truth.counters.get(pk) ?? 0) - count);
  }
  return repeats;
};

/** Returns the value at quantile `q` (0 to 1) of sorted numbers. */
export const quantile = (sorted: readonly number[], q: number): number => {
  if (sorted.length === 0) {
    return 0;
  }
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] as number);
};

/** Replaces ids and numbers in a reason so that equal causes group together. */
export const reasonKind = (reason: string): string =>
  reason
    .replace(/\b[\w.:-]*\d[\w.:-]*\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .slice(0, 160);

/**
 * NOTE: moto 5.2.1 can drop a FIFO message that is sent while another
 * message of the same queue is being deleted, because its delete rebuilds
 * the message list without the lock that SendMessage takes. Such a task
 * shows here as lost although the product sent it. The report lists each
 * lost task with its class and status, so that it can be traced.
 *
 * Checks a run against the invariant: every accepted task took effect
 * exactly once or is in a dead-letter queue with its reason. Repeated
 * effects are counted over every intent sent, accepted or not; lost tasks
 * are accepted tasks with no effect and no dead letter.
 */
export const checkRun = (
  name: string,
  traffic: TrafficResult,
  truth: GroundTruth,
  faults: Record<string, unknown>,
): ScenarioResult => {
  const intents = [...traffic.intents.values()];
  const result: ScenarioResult = {
    name,
    accepted: traffic.accepted.size,
    completed: 0,
    deadLettered: 0,
    duplicateEffects: sharedCounterRepeats(intents, truth),
    lost: 0,
    latencyMs: { p50: 0, p99: 0 },
    deadLetterReasons: {},
    examples: { lost: [], duplicated: [] },
    effectsWithoutAcceptance: 0,
    faults,
  };
  const latencies: number[] = [];

  for (const intent of intents) {
    const effects = effectsOf(intent, truth);
    if (effects.count > 1) {
      result.duplicateEffects += effects.count - 1;
      result.examples.duplicated.push(
        `${intent.taskId} (${intent.className}, ${effects.count} effects)`,
      );
    }
    const accepted = traffic.accepted.get(intent.taskId);
    if (!accepted) {
      result.effectsWithoutAcceptance += effects.count > 0 ? 1 : 0;
      continue;
    }
    const deadLetter = truth.deadLetters.get(intent.taskId);
    if (effects.count > 0) {
      result.completed += 1;
      if (!Number.isNaN(effects.firstAtMs)) {
        // An effect can precede the client's 202, which counts as 0 ms.
        latencies.push(Math.max(0, effects.firstAtMs - accepted.acceptedAtMs));
      }
    } else if (deadLetter !== undefined) {
      result.deadLettered += 1;
      const kind = reasonKind(deadLetter);
      result.deadLetterReasons[kind] =
        (result.deadLetterReasons[kind] ?? 0) + 1;
    } else {
      result.lost += 1;
      const status = truth.tasks.get(intent.taskId)?.status ?? 'no record';
      result.examples.lost.push(
        `${intent.taskId} (${intent.className}, ${accepted.behaviour}, status ${status})`,
      );
    }
  }

  latencies.sort((left, right) => left - right);
  result.latencyMs = {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
  result.examples.lost = result.examples.lost.slice(0, 20);
  result.examples.duplicated = result.examples.duplicated.slice(0, 20);
  return result;
};
