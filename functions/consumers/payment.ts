import { requireEnv } from '../shared/aws-clients';
import { DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR, ENV } from '../shared/resources';
import { type PaymentTask, payment } from '../shared/task-classes';
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

/**
 * Posts a payment as two ledger entries (debit payer, credit merchant), or
 * holds it for review above the limit. The debit entry claims the payment
 * id, so a payment id is captured at most once whatever the redelivery.
 */
export const capturePayment = async ({
  envelope,
  task,
  protectionOn,
}: ValidTask<PaymentTask>): Promise<Record<string, unknown>> => {
  const table = requireEnv(ENV.ledgerTable);
  const pk = paymentPk(task.paymentId);
  const base = {
    pk,
    businessKey: envelope.businessKey,
    taskId: envelope.taskId,
    orderId: task.orderId,
    amount: task.amount,
    currency: task.currency,
    createdAt: new Date().toISOString(),
  };
  const common = {
    taskId: envelope.taskId,
    className: payment.name,
    businessKey: envelope.businessKey,
  };

  if (task.amount > reviewLimitMinor()) {
    const result = {
      outcome: 'held-for-review',
      limitMinor: reviewLimitMinor(),
    };
    const outcome = { ...common, status: 'held-for-review' as const, result };
    await writeEffectOnce({
      claim: {
        Put: {
          TableName: table,
          Item: {
            ...base,
            sk: 'REVIEW',
            status: 'held',
            payerAccount: task.payerAccount,
            merchantAccount: task.merchantAccount,
          },
        },
      },
      others: [],
      outcome,
      outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
      protectionOn,
      conflictMessage: `payment id ${task.paymentId} is already held for review with a different intent`,
    });
    return result;
  }

  const result = { outcome: 'captured', entries: ['DEBIT', 'CREDIT'] };
  const outcome = { ...common, status: 'completed' as const, result };
  await writeEffectOnce({
    claim: {
      Put: {
        TableName: table,
        Item: { ...base, sk: 'DEBIT', account: task.payerAccount },
      },
    },
    others: [
      {
        Put: {
          TableName: table,
          Item: { ...base, sk: 'CREDIT', account: task.merchantAccount },
        },
      },
    ],
    outcome,
    outcomeUpdate: { Update: taskOutcomeUpdate(outcome) },
    protectionOn,
    conflictMessage: `payment id ${task.paymentId} was already captured with a different intent; submit a new payment id`,
  });
  return result;
};

export const handler = createConsumer(payment, capturePayment);
