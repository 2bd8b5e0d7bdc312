import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients';
import { EffectConflictError } from '../shared/errors';
import { logger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import { saveTaskOutcome, type TaskOutcome } from '../shared/task-store';
import { cancellationOf } from '../shared/transactions';
import type { CompletionFold, TransactItem } from './idempotency-store';

/**
 * Writes an effect in one transaction whose first item claims the business
 * key: a Put with `attribute_not_exists(pk)` that stores the key. The task
 * outcome and, when given, the idempotency completion commit with it.
 *
 * If that claim fails because the same business key was applied before (a
 * redelivery after a crash), the effect is not repeated: the outcome is
 * recorded on its own and `applied` is false. If a different business key
 * already claimed the entity, the task conflicts and can never succeed.
 */
export const writeEffectOnce = async (input: {
  readonly claim: TransactItem;
  readonly others: readonly TransactItem[];
  readonly outcome: TaskOutcome;
  readonly outcomeUpdate: TransactItem;
  readonly protectionOn: boolean;
  readonly completion?: CompletionFold;
  readonly conflictMessage: string;
}): Promise<{ applied: boolean }> => {
  const completion = input.outcome.result
    ? input.completion?.item(input.outcome.result)
    : undefined;
  const claim = input.protectionOn
    ? {
        Put: {
          ...input.claim.Put,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      }
    : input.claim;

  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          claim as TransactItem,
          ...input.others,
          input.outcomeUpdate,
          ...(completion ? [completion] : []),
        ],
      }),
    );
    input.completion?.committed();
    countOutcome(input.outcome);
    return { applied: true };
  } catch (error) {
    const cancellation = cancellationOf(error);
    if (cancellation?.codes[0] !== 'ConditionalCheckFailed') {
      throw error;
    }
    const existing = cancellation.items[0] ?? (await readClaim(input.claim));
    if (existing?.businessKey !== input.outcome.businessKey) {
      throw new EffectConflictError(
        input.conflictMessage,
        input.outcome.businessKey,
      );
    }
    await saveTaskOutcome(input.outcome);
    logger.info('duplicate suppressed', { layer: 'effect-guard' });
    countMetric(METRIC.duplicateSuppressed, input.outcome.className, {
      layer: 'effect-guard',
    });
    return { applied: false };
  }
};

/**
 * Reads the item that a claim found in place. DynamoDB returns it with the
 * cancellation, but moto 5 sometimes omits it under concurrency.
 */
const readClaim = async (
  claim: TransactItem,
): Promise<Record<string, unknown> | undefined> => {
  const item = claim.Put?.Item ?? {};
  const key: Record<string, unknown> = { pk: item.pk };
  if (item.sk !== undefined) {
    key.sk = item.sk;
  }
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: claim.Put?.TableName,
      Key: key,
      ConsistentRead: true,
    }),
  );
  return Item;
};

/** Counts a task that reached its outcome for the first time. */
export const countOutcome = (outcome: TaskOutcome): void => {
  countMetric(
    outcome.status === 'held-for-review'
      ? METRIC.heldForReview
      : METRIC.completed,
    outcome.className,
  );
};
