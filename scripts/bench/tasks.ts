/**
 * Builds a valid request body of a task class. Each sequence number gives
 * a new business task; the run id keeps runs against one emulator apart.
 */
export const taskBodyOf = (
  className: string,
  runId: string,
  sequence: number,
): Record<string, unknown> => {
  const id = `${runId}-${sequence}`;
  switch (className) {
    case 'payment':
      return {
        paymentId: `pay-${id}`,
        orderId: `ord-${id}`,
        payerAccount: 'acct-payer-1',
        merchantAccount: 'acct-merchant-1',
        // Below the review limit, so every payment posts ledger entries.
        amount: 49_900,
        currency: 'INR',
      };
    case 'health-record':
      return {
        recordId: `rec-${id}`,
        patientId: 'patient-1',
        recordType: 'prescription',
        authoredBy: 'doctor-1',
        content: { medication: 'amoxicillin', doseMg: 500, days: 5 },
      };
    case 'notification':
      return {
        notificationId: `ntf-${id}`,
        recipient: 'customer-1@example.com',
        channel: 'email',
        template: 'payment-receipt',
        data: { orderId: `ord-${id}` },
      };
    case 'analytics':
      return {
        eventId: `evt-${id}`,
        name: 'checkout-completed',
        entityId: 'store-1',
        value: 1,
      };
    default:
      throw new Error(
        `no benchmark task body for class "${className}"; add one to scripts/bench/tasks.ts`,
      );
  }
};
