import { randomUUID } from 'node:crypto';
import { requireEnv } from '../shared/aws-clients';
import { DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR, ENV } from '../shared/resources';
import { type PaymentTask, payment } from '../shared/task-classes/payment';
import { taskOutcomeUpdate } from '../shared/task-store';
import { writeEffectOnce } from './conditional-effect';
import { createConsumer, type ValidTask } from './consumer';

/** Returns the amount in minor units above which payments are held. */
export const reviewLimitMinor = (): number => {
  const configured = process.env[ENV.paymentReviewLimit];
  if (configured === undefined || configured === '') {
    return DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR;
  }
  const limit = Number(configured);
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new Error(
      `${ENV.paymentReviewLimit} is "${configured}"; set it to a positive integer number of minor units`,
    );
  }
  return limit;
};

export const paymentPk = (paymentId: string): string => `PAYMENT#${paymentId}`;

/** Sort key of the item that claims a payment id for one business key. */
export const CLAIM_SK = 'CLAIM';

/** Sort key prefix of ledger entries; each entry has a unique id. */
export const ENTRY_SK_PREFIX = 'ENTRY#';

/**
 * Posts a payment as two append-only ledger entries (debit payer, credit
 * merchant), or keeps it for review above the limit. A claim item per
 * payment id, written in the same transaction, lets the entries be written
 * at most once whatever the redelivery.
 */
export const capturePayment = async ({
  envelope,
  task,
  protectionOn,
  completion,
}: ValidTask<PaymentTask>): Promise<Record<string, unknown>> => {
  const table = requireEnv(ENV.ledgerTable);
  const pk = paymentPk(task.paymentId);
  const createdAt = new Date().toISOString();
  const common = {
    taskId: envelope.taskId,
    className: payment.name,
    businessKey: envelope.businessKey,
  };
  const held = task.amount > reviewLimitMinor();
  const claim = {
    Put: {
      TableName: table,
      Item: {
        pk,
        sk: CLAIM_SK,
        businessKey: envelope.businessKey,
        taskId: envelope.taskId,
        status: held ? 'held-for-review' : 'captured',
        orderId: task.orderId,
        payerAccount: task.payerAccount,
        merchantAccount: task.merchantAccount,
        amount: task.amount,
        currency: task.currency,
        createdAt,
      },
    },
  };

  if (held) {
    const result = {
      outcome: 'held-for-review',
      limitMinor: reviewLimitMinor(),
    };
    const outcome = { ...common, status: 'held-for-review' as const, result };
    await writeEffectOnce({
      claim,
      others: [],
      outcome,
      outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
      protectionOn,
      completion,
      conflictMessage: `payment id ${task.paymentId} was already used with a different intent; submit a new payment id`,
    });
    return result;
  }

  const result = { outcome: 'captured', entries: ['DEBIT', 'CREDIT'] };
  const outcome = { ...common, status: 'completed' as const, result };
  await writeEffectOnce({
    claim,
    others: ledgerEntries(pk, envelope, task, createdAt).map((Item) => ({
      Put: { TableName: table, Item },
    })),
    outcome,
    outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
    protectionOn,
    completion,
    conflictMessage: `payment id ${task.paymentId} was already used with a different intent; submit a new payment id`,
  });
  return result;
};

/** Builds the debit and credit entries of a payment. */
export const ledgerEntries = (
  pk: string,
  envelope: { businessKey: string; taskId: string },
  task: PaymentTask,
  createdAt: string,
): Record<string, unknown>[] =>
  (
    [
      ['DEBIT', task.payerAccount],
      ['CREDIT', task.merchantAccount],
    ] as const
  ).map(([side, account]) => ({
    pk,
    sk: `${ENTRY_SK_PREFIX}${side}#${randomUUID()}`,
    side,
    account,
    amount: task.amount,
    currency: task.currency,
    businessKey: envelope.businessKey,
    taskId: envelope.taskId,
    createdAt,
  }));

export const handler = createConsumer(payment, capturePayment);
