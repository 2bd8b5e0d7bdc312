import type { Command } from 'commander';
import { payment } from '../../functions/shared/task-classes';
import { resolveOperator } from '../operator';
import {
  type OverrideOptions,
  withJsonOption,
  withOverrideOptions,
} from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderTable,
} from '../output';
import { countOverrides } from '../overrides';
import {
  decidePayment,
  listHeldPayments,
  type PaymentClaim,
  type ReviewDecision,
} from '../payment-review';

/** Formats minor units as an amount, such as ₹1,25,000.00 for INR. */
export const formatMinorUnits = (amount: number, currency: string): string => {
  const format = new Intl.NumberFormat('en-IN', {
    style: 'currency',
    currency,
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
};

const heldTable = (heldPayments: readonly PaymentClaim[]): string =>
  renderTable(
    [
      { header: 'PAYMENT ID', value: (row: PaymentClaim) => row.paymentId },
      { header: 'TASK ID', value: (row) => row.taskId },
      { header: 'ORDER ID', value: (row) => row.orderId },
      {
        header: 'AMOUNT',
        value: (row) => formatMinorUnits(row.amount, row.currency),
        align: 'right',
      },
      { header: 'PAYER', value: (row) => row.payerAccount },
      { header: 'MERCHANT', value: (row) => row.merchantAccount },
      { header: 'HELD SINCE', value: (row) => row.createdAt },
    ],
    heldPayments,
  );

const listCommand = async (
  io: CliIo,
  options: OutputOptions,
): Promise<void> => {
  const heldPayments = await listHeldPayments();
  printResult(io, options, { payments: heldPayments }, () =>
    heldPayments.length === 0
      ? 'No payments are held for review.\n'
      : heldTable(heldPayments),
  );
};

const decideCommand = async (
  io: CliIo,
  decision: ReviewDecision,
  paymentId: string,
  options: OutputOptions & OverrideOptions,
): Promise<void> => {
  const operator = await resolveOperator(options.operator);
  const result = await decidePayment(paymentId, decision, {
    operator,
    reason: options.reason,
  });
  await countOverrides(payment.name, decision, 1);

  printResult(io, options, result, () =>
    decision === 'approve'
      ? `Approved payment ${paymentId} as ${operator}: captured with ${result.entries.length} ledger entries; task ${result.taskId} completed.\n`
      : `Rejected payment ${paymentId} as ${operator}: no ledger entries; task ${result.taskId} completed with outcome rejected.\n`,
  );
};

const addDecisionCommand = (
  review: Command,
  io: CliIo,
  decision: ReviewDecision,
  description: string,
): void => {
  withJsonOption(
    withOverrideOptions(
      review
        .command(decision)
        .description(description)
        .argument('<paymentId>', 'payment id, from "ekbar review list"'),
    ),
  ).action((paymentId, options) =>
    decideCommand(io, decision, paymentId, options),
  );
};

/** Registers `ekbar review list|approve|reject`. */
export const registerReviewCommands = (program: Command, io: CliIo): void => {
  const review = program
    .command('review')
    .description('list, approve or reject payments held for manual review');

  withJsonOption(
    review.command('list').description('list the payments held for review'),
  ).action((options) => listCommand(io, options));

  addDecisionCommand(
    review,
    io,
    'approve',
    'capture a held payment: post its debit and credit entries once and complete its task',
  );
  addDecisionCommand(
    review,
    io,
    'reject',
    'reject a held payment: post no entries and complete its task with outcome rejected',
  );
};
