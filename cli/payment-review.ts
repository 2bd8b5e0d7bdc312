import {
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { auditEntityOf } from '../functions/consumers/health-record';
import {
  CLAIM_SK,
  ledgerEntries,
  paymentPk,
} from '../functions/consumers/payment';
import { documentClient, requireEnv } from '../functions/shared/aws-clients';
import { ENV } from '../functions/shared/resources';
import { type PaymentTask, payment } from '../functions/shared/task-classes';
import { taskOutcomeUpdate } from '../functions/shared/task-store';
import { cancellationOf } from '../functions/shared/transactions';
import { NotFoundError, StateConflictError } from './errors';
import { auditEntryPut, type OverrideContext } from './overrides';

const HELD = 'held-for-review';

/** Review decisions. */
export type ReviewDecision = 'approve' | 'reject';

/** A payment's claim item in the ledger table. */
export interface PaymentClaim {
  readonly paymentId: string;
  readonly status: string;
  readonly taskId: string;
  readonly businessKey: string;
  readonly orderId: string;
  readonly payerAccount: string;
  readonly merchantAccount: string;
  /** Minor units (paise for INR). */
  readonly amount: number;
  readonly currency: string;
  readonly createdAt: string;
}

/** Outcome of a review decision. */
export interface ReviewResult {
  readonly decision: ReviewDecision;
  readonly paymentId: string;
  readonly taskId: string;
  readonly status: 'captured' | 'rejected';
  /** Sort keys of the ledger entries written, empty for a rejection. */
  readonly entries: readonly string[];
  readonly operator: string;
  readonly reason: string;
}

const ledgerTable = (): string => requireEnv(ENV.ledgerTable);

const PAYMENT_PK_PREFIX = paymentPk('');

const claimOf = (item: Record<string, unknown>): PaymentClaim => ({
  ...(item as Omit<PaymentClaim, 'paymentId'>),
  paymentId: String(item.pk).slice(PAYMENT_PK_PREFIX.length),
});

/**
 * Lists the payments held for review, oldest first.
 * NOTE: the ledger has no index on claim status, so this scans the whole
 * table, and its cost grows with the number of ledger items.
 */
export const listHeldPayments = async (): Promise<PaymentClaim[]> => {
  const heldPayments: PaymentClaim[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: ledgerTable(),
        FilterExpression: 'sk = :claim AND #status = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claim': CLAIM_SK, ':held': HELD },
        ExclusiveStartKey: startKey,
      }),
    );
    heldPayments.push(...(page.Items ?? []).map(claimOf));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return heldPayments.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
};

/**
 * Reads a payment held for review.
 * @throws NotFoundError when the payment has no claim
 * @throws StateConflictError when it is not held for review
 */
const requireHeldPayment = async (paymentId: string): Promise<PaymentClaim> => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: ledgerTable(),
      Key: { pk: paymentPk(paymentId), sk: CLAIM_SK },
      ConsistentRead: true,
    }),
  );
  if (!Item) {
    throw new NotFoundError(
      `payment "${paymentId}" was not found in the ledger; run "ekbar review list" to see the payments held for review`,
    );
  }
  const claim = claimOf(Item);
  if (claim.status !== HELD) {
    throw alreadyDecided(paymentId, claim.status);
  }
  return claim;
};

const alreadyDecided = (paymentId: string, status: string) =>
  new StateConflictError(
    `payment "${paymentId}" is already decided (status ${status}), so nothing was written; run "ekbar audit ${auditEntityOf(payment.name, paymentId)}" to see who decided it`,
  );

const paymentTaskOf = (claim: PaymentClaim): PaymentTask => ({
  paymentId: claim.paymentId,
  orderId: claim.orderId,
  payerAccount: claim.payerAccount,
  merchantAccount: claim.merchantAccount,
  amount: claim.amount,
  currency: claim.currency,
});

/** Builds the claim update that records a decision, if still held. */
const decideClaim = (
  claim: PaymentClaim,
  status: ReviewResult['status'],
  context: OverrideContext,
  decidedAt: string,
) => ({
  Update: {
    TableName: ledgerTable(),
    Key: { pk: paymentPk(claim.paymentId), sk: CLAIM_SK },
    UpdateExpression:
      'SET #status = :decided, decidedAt = :at, decidedBy = :operator, decisionReason = :reason',
    ConditionExpression: '#status = :held',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':decided': status,
      ':held': HELD,
      ':at': decidedAt,
      ':operator': context.operator,
      ':reason': context.reason,
    },
  },
});

/**
 * Approves or rejects a held payment in one transaction: the claim moves
 * from held-for-review to its decision on that condition, an approval
 * posts the debit and credit entries, the task completes and the audit
 * entry is written. A second decision fails the condition and writes
 * nothing.
 * @throws NotFoundError when the payment does not exist
 * @throws StateConflictError when the payment is already decided
 */
export const decidePayment = async (
  paymentId: string,
  decision: ReviewDecision,
  context: OverrideContext,
): Promise<ReviewResult> => {
  const claim = await requireHeldPayment(paymentId);
  const decidedAt = new Date();
  const status = decision === 'approve' ? 'captured' : 'rejected';
  const entries =
    decision === 'approve'
      ? ledgerEntries(
          paymentPk(paymentId),
          claim,
          paymentTaskOf(claim),
          decidedAt.toISOString(),
        )
      : [];
  const result =
    decision === 'approve'
      ? {
          outcome: 'captured',
          entries: ['DEBIT', 'CREDIT'],
          approvedBy: context.operator,
        }
      : { outcome: 'rejected', rejectedBy: context.operator };

  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          decideClaim(claim, status, context, decidedAt.toISOString()),
          ...entries.map((Item) => ({
            Put: { TableName: ledgerTable(), Item },
          })),
          {
            Update: taskOutcomeUpdate({
              taskId: claim.taskId,
              className: payment.name,
              businessKey: claim.businessKey,
              status: 'completed',
              result,
            }),
          },
          {
            Put: auditEntryPut({
              ...context,
              entity: auditEntityOf(payment.name, paymentId),
              action: decision,
              className: payment.name,
              taskId: claim.taskId,
              at: decidedAt,
            }),
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationOf(error)?.codes[0] === 'ConditionalCheckFailed') {
      throw new StateConflictError(
        `payment "${paymentId}" was decided by someone else while this command ran, so nothing was written; run "ekbar audit ${auditEntityOf(payment.name, paymentId)}"`,
      );
    }
    throw error;
  }

  return {
    decision,
    paymentId,
    taskId: claim.taskId,
    status,
    entries: entries.map((entry) => String(entry.sk)),
    ...context,
  };
};
