import {
  type ClientSettings,
  freshKeys,
  postOnce,
  type SubmissionOutcome,
  sameKey,
  submit,
} from './client';
import { CLASS_NAMES, type Intent, TaskFactory } from './task-factory';

/** Behaviour of the clients of one job. */
export type Behaviour =
  /** One client; it retries with the same key after a timeout or an error. */
  | 'retry-same-key'
  /** Gives up on its first request early and retries with fresh keys. */
  | 'retry-fresh-key'
  /** Sends the same request twice in a row, like a double click. */
  | 'exact-duplicate'
  /** Five clients send the same request with one key at the same time. */
  | 'burst-one-key'
  /** Several tasks on one entity (a payment id or a counter) at once. */
  | 'burst-one-entity';

/** A unit of traffic: one behaviour over one or more intents. */
export interface Job {
  readonly behaviour: Behaviour;
  readonly intents: readonly Intent[];
  /** Whether the requests carry an Idempotency-Key. */
  readonly withKey: boolean;
}

/** A task the API accepted with a 202. */
export interface AcceptedTask {
  readonly taskId: string;
  readonly className: string;
  readonly behaviour: Behaviour;
  /** Epoch milliseconds of the first 202 for this task. */
  readonly acceptedAtMs: number;
}

/** Intents the generator sent and tasks the API accepted. */
export interface TrafficResult {
  /** Every intent sent, by task id, accepted or not. */
  readonly intents: Map<string, Intent>;
  readonly accepted: Map<string, AcceptedTask>;
  /** Requests sent, by response status or `timeout` / `network`. */
  readonly responses: Map<string, number>;
  /** Submissions abandoned without a 202. */
  abandoned: number;
}

const KEY_BURST_SIZE = 5;
const CONFLICTING_PAYMENTS = 3;
const SHARED_COUNTER_EVENTS = 5;

/** Classes whose requests may omit the Idempotency-Key header. */
const KEY_OPTIONAL = new Set(['notification', 'analytics']);

const behaviourOf = (roll: number): Behaviour => {
  if (roll < 0.55) return 'retry-same-key';
  if (roll < 0.7) return 'retry-fresh-key';
  if (roll < 0.8) return 'exact-duplicate';
  if (roll < 0.9) return 'burst-one-key';
  return 'burst-one-entity';
};

/**
 * Plans at least `taskCount` intents across all four classes, mixing the
 * behaviours of real clients: about 55% careful retries, 15% retries with
 * a fresh key, 10% double submissions, 10% bursts on one key and 10%
 * bursts on one entity.
 */
export const planTraffic = (prefix: string, taskCount: number): Job[] => {
  const factory = new TaskFactory(prefix);
  const jobs: Job[] = [];
  let planned = 0;
  while (planned < taskCount) {
    const behaviour = behaviourOf(Math.random());
    const className = CLASS_NAMES[jobs.length % CLASS_NAMES.length] as string;
    let intents: Intent[];
    if (behaviour === 'burst-one-entity') {
      intents =
        jobs.length % 2 === 0
          ? factory.conflictingPayments(CONFLICTING_PAYMENTS)
          : factory.sharedCounterEvents(SHARED_COUNTER_EVENTS);
    } else {
      intents = [factory.single(className)];
    }
    const withKey =
      !KEY_OPTIONAL.has(intents[0]?.className ?? '') || Math.random() < 0.7;
    jobs.push({ behaviour, intents, withKey });
    planned += intents.length;
  }
  return jobs;
};

const outcomesOf = async (
  settings: ClientSettings,
  job: Job,
): Promise<[Intent, SubmissionOutcome][]> => {
  const keyless = () => undefined;
  const [first] = job.intents as [Intent];
  switch (job.behaviour) {
    case 'retry-same-key':
      return [
        [
          first,
          await submit(settings, first, job.withKey ? sameKey() : keyless),
        ],
      ];
    case 'retry-fresh-key': {
      // The client gives up too early, then retries with a new key each time.
      const early = await postOnce(
        settings,
        first,
        freshKeys()(0),
        20 + Math.random() * 400,
      );
      const earlyAtMs = Date.now();
      const retried = await submit(settings, first, freshKeys());
      const outcome: SubmissionOutcome = early.taskId
        ? { ...retried, taskId: early.taskId, acceptedAtMs: earlyAtMs }
        : retried;
      outcome.attempts.unshift(early.status);
      return [[first, outcome]];
    }
    case 'exact-duplicate': {
      const keyOf = job.withKey ? sameKey() : keyless;
      const once = await submit(settings, first, keyOf);
      const twice = await submit(settings, first, keyOf);
      return [
        [first, once],
        [first, twice],
      ];
    }
    case 'burst-one-key': {
      const keyOf = job.withKey ? sameKey() : keyless;
      const outcomes = await Promise.all(
        Array.from({ length: KEY_BURST_SIZE }, () =>
          submit(settings, first, keyOf),
        ),
      );
      return outcomes.map((outcome) => [first, outcome]);
    }
    case 'burst-one-entity':
      return Promise.all(
        job.intents.map(
          async (intent): Promise<[Intent, SubmissionOutcome]> => [
            intent,
            await submit(settings, intent, job.withKey ? sameKey() : keyless),
          ],
        ),
      );
  }
};

const record = (
  result: TrafficResult,
  job: Job,
  outcomes: [Intent, SubmissionOutcome][],
): void => {
  for (const [intent, outcome] of outcomes) {
    result.intents.set(intent.taskId, intent);
    for (const status of outcome.attempts) {
      result.responses.set(status, (result.responses.get(status) ?? 0) + 1);
    }
    if (outcome.taskId === undefined) {
      result.abandoned += 1;
      continue;
    }
    if (outcome.taskId !== intent.taskId) {
      throw new Error(
        `API returned task id ${outcome.taskId} for an intent whose business key gives ${intent.taskId}`,
      );
    }
    if (!result.accepted.has(outcome.taskId)) {
      result.accepted.set(outcome.taskId, {
        taskId: outcome.taskId,
        className: intent.className,
        behaviour: job.behaviour,
        acceptedAtMs: outcome.acceptedAtMs as number,
      });
    }
  }
};

/**
 * Runs the planned jobs with `concurrency` clients working at once and
 * returns what was sent and accepted. `onJobDone` is called after each job.
 */
export const runTraffic = async (
  settings: ClientSettings,
  jobs: readonly Job[],
  concurrency: number,
  onJobDone: (result: TrafficResult) => void = () => undefined,
): Promise<TrafficResult> => {
  const result: TrafficResult = {
    intents: new Map(),
    accepted: new Map(),
    responses: new Map(),
    abandoned: 0,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next] as Job;
      next += 1;
      record(result, job, await outcomesOf(settings, job));
      onJobDone(result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
};
