import * as z from 'zod/mini';
import type { TaskClassDefinition } from './definition';
import { currencyField, DAY_SECONDS, idField } from './fields';

export const paymentSchema = z.strictObject({
  paymentId: idField(),
  orderId: idField(),
  payerAccount: idField(),
  merchantAccount: idField(),
  /** Minor units (paise for INR). */
  amount: z
    .number()
    .check(
      z.int({ error: 'must be an integer number of minor units' }),
      z.positive({ error: 'must be greater than 0' }),
      z.maximum(Number.MAX_SAFE_INTEGER, { error: 'must be a safe integer' }),
    ),
  currency: currencyField(),
  description: z.optional(z.string().check(z.maxLength(140))),
});

export type PaymentTask = z.infer<typeof paymentSchema>;

export const payment: TaskClassDefinition<PaymentTask> = {
  name: 'payment',
  description: 'Captures a payment as a double-entry ledger posting.',
  schema: paymentSchema,
  entityType: 'payment',
  action: 'capture',
  entityId: (task) => task.paymentId,
  intent: (task) => ({
    orderId: task.orderId,
    payerAccount: task.payerAccount,
    merchantAccount: task.merchantAccount,
    amount: task.amount,
    currency: task.currency,
  }),
  // Critical: one retry so that a person looks at a failure soon.
  retries: 1,
  backoffSeconds: [5],
  // Clients and reconciliation jobs may resubmit a payment for weeks.
  idempotencyTtlSeconds: 30 * DAY_SECONDS,
  protection: 'full-with-review',
  requiresIdempotencyKey: true,
  consumer: { batchSize: 5, timeoutSeconds: 5, memorySizeMb: 256 },
};
