import { queueSettingsOf } from '../../functions/shared/resources';
import {
  analytics,
  healthRecord,
  notification,
  payment,
  TASK_CLASSES,
} from '../../functions/shared/task-classes';

describe('task classes', () => {
  it.each([
    [payment, 1, [5]],
    [healthRecord, 2, [5, 10]],
    [notification, 3, [2, 4, 8]],
    [analytics, 2, [5, 10]],
  ] as const)(
    '$name retries and backs off as the domain requires',
    (definition, retries, backoff) => {
      expect(definition.retries).toBe(retries);
      expect(definition.backoffSeconds).toEqual(backoff);
    },
  );

  it.each(TASK_CLASSES)(
    '$name has one backoff step per retry',
    (definition) => {
      expect(definition.backoffSeconds).toHaveLength(definition.retries);
    },
  );

  it.each(TASK_CLASSES)('$name receives retries + 2 times', (definition) => {
    expect(queueSettingsOf(definition).maxReceiveCount).toBe(
      definition.retries + 2,
    );
  });

  it.each(TASK_CLASSES)('$name fits the SQS FIFO batch limit', (definition) => {
    expect(definition.consumer.batchSize).toBeGreaterThanOrEqual(1);
    expect(definition.consumer.batchSize).toBeLessThanOrEqual(10);
  });

  it('requires a key for payment and health-record only', () => {
    const required = TASK_CLASSES.filter((d) => d.requiresIdempotencyKey).map(
      (d) => d.name,
    );

    expect(required).toEqual(['payment', 'health-record']);
  });

  it('rejects a non-integer amount', () => {
    const result = payment.schema.safeParse({
      paymentId: 'p',
      orderId: 'o',
      payerAccount: 'a',
      merchantAccount: 'b',
      amount: 2 ** 53,
      currency: 'INR',
    });

    expect(result.success).toBe(false);
  });
});

describe('notification recipient', () => {
  const base = { notificationId: 'n-1', template: 't', data: {} };

  it.each([
    ['email', 'asha@example.com', true],
    ['email', 'not an email', false],
    ['sms', '+919800000000', true],
    ['sms', '\u0000', false],
    ['sms', 'asha@example.com', false],
  ] as const)('on %s accepts %j: %s', (channel, recipient, valid) => {
    const result = notification.schema.safeParse({
      ...base,
      channel,
      recipient,
    });

    expect(result.success).toBe(valid);
  });
});
