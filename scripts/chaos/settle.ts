import type { ClassQueues } from '../local/provision';
import { queuedMessages, readTaskStatuses } from './ground-truth';
import { progress } from './progress';

/** Task statuses after which a consumer has nothing left to do. */
const FINAL_STATUSES = new Set([
  'completed',
  'held-for-review',
  'dead-lettered',
]);

/** Milliseconds between two checks of the queues. */
const POLL_MS = 3_000;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the pipeline is idle: every class queue is empty (nothing
 * visible, in flight or delayed) on two checks in a row. A final status
 * on every task is not enough, because a redelivery still in flight could
 * repeat an effect. Returns after `timeoutMs` in any case, and what is
 * unfinished then counts as lost.
 * @returns whether the pipeline became idle before the deadline
 */
export const waitUntilSettled = async (input: {
  readonly scenario: string;
  readonly endpoint: string;
  readonly queues: readonly ClassQueues[];
  readonly acceptedTaskIds: readonly string[];
  readonly timeoutMs: number;
}): Promise<boolean> => {
  const deadline = Date.now() + input.timeoutMs;
  let emptyChecks = 0;
  while (Date.now() < deadline) {
    const queued = await queuedMessages(input.endpoint, input.queues);
    const statuses = await readTaskStatuses(input.endpoint);
    const final = input.acceptedTaskIds.filter((taskId) =>
      FINAL_STATUSES.has(statuses.get(taskId)?.status ?? ''),
    ).length;
    progress(
      input.scenario,
      `settling: ${queued} messages queued, ${final}/${input.acceptedTaskIds.length} accepted tasks final`,
    );
    emptyChecks = queued === 0 ? emptyChecks + 1 : 0;
    if (emptyChecks >= 2) {
      return true;
    }
    await sleep(POLL_MS);
  }
  return false;
};
