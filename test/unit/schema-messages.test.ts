import { safeParse } from '../../functions/shared/schema-messages';
import {
  analytics,
  notification,
  payment,
} from '../../functions/shared/task-classes';

const PAYMENT = {
  paymentId: 'pay-1',
  orderId: 'order-1',
  payerAccount: 'acct-payer',
  merchantAccount: 'acct-merchant',
  amount: 1_000,
  currency: 'INR',
};

/** Returns "field: message" of each issue, or [] when the value passes. */
const issuesOf = (
  schema: Parameters<typeof safeParse>[0],
  value: unknown,
): string[] => {
  const result = safeParse(schema, value);
  return result.success
    ? []
    : result.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
};

// zod/mini loads no locale: every message below would be "Invalid input"
// without the error map in schema-messages.ts.
describe('schema messages', () => {
  it('accepts a valid payment', () => {
    expect(issuesOf(payment.schema, PAYMENT)).toEqual([]);
  });

  it.each([
    [{ ...PAYMENT, amount: undefined }, 'amount: is required'],
    [{ ...PAYMENT, amount: '1000' }, 'amount: must be a number'],
    [{ ...PAYMENT, amount: 0 }, 'amount: must be greater than 0'],
    [
      { ...PAYMENT, description: 'x'.repeat(141) },
      'description: must be at most 140 characters long',
    ],
    [{ ...PAYMENT, tip: 5 }, ': has unknown fields "tip"'],
  ])('names what is wrong with %j', (value, message) => {
    expect(issuesOf(payment.schema, value)).toEqual([message]);
  });

  it('lists the allowed values of an enum', () => {
    const issues = issuesOf(notification.schema, {
      notificationId: 'n-1',
      recipient: 'a@example.com',
      channel: 'fax',
      template: 't',
      data: {},
    });

    expect(issues).toEqual(['channel: must be one of "email", "sms"']);
  });

  it('says an empty string and a non-object are wrong', () => {
    const issues = issuesOf(notification.schema, {
      notificationId: 'n-1',
      recipient: '',
      channel: 'sms',
      template: 't',
      data: [],
    });

    expect(issues).toEqual([
      'recipient: must not be empty',
      'data: must be a JSON object',
    ]);
  });

  it('rejects a number that is not finite', () => {
    const issues = issuesOf(analytics.schema, {
      eventId: 'e-1',
      name: 'signup',
      entityId: 'u-1',
      value: Number.POSITIVE_INFINITY,
    });

    expect(issues).toEqual(['value: must be a finite number']);
  });

  it('keeps the message that a check gives itself', () => {
    expect(issuesOf(payment.schema, { ...PAYMENT, currency: 'ABC' })).toEqual([
      'currency: must be an ISO 4217 currency code such as INR',
    ]);
  });
});
