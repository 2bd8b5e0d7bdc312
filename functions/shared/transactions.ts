import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** A stored item returned with a failed condition, or undefined. */
export type CancellationItem = Record<string, unknown> | undefined;

/** Per-item outcome of a cancelled transaction. */
export interface Cancellation {
  readonly codes: readonly (string | undefined)[];
  readonly items: readonly CancellationItem[];
}

/** Returns the per-item codes of a cancelled transaction, or undefined. */
export const cancellationOf = (error: unknown): Cancellation | undefined => {
  if (!(error instanceof TransactionCanceledException)) {
    return undefined;
  }
  const reasons = error.CancellationReasons ?? [];
  return {
    codes: reasons.map((reason) => reason.Code),
    items: reasons.map((reason) =>
      reason.Item ? unmarshall(reason.Item) : undefined,
    ),
  };
};
