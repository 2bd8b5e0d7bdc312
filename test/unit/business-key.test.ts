import {
  buildBusinessKey,
  canonicalJson,
  taskIdFor,
} from '../../functions/shared/business-key';
import {
  businessKeyOf,
  messageGroupIdOf,
  payment,
} from '../../functions/shared/task-classes';

const task = {
  paymentId: '98345',
  orderId: 'ord-1',
  payerAccount: 'acct-1',
  merchantAccount: 'acct-2',
  amount: 1000,
  currency: 'INR',
};

describe('canonicalJson', () => {
  it('ignores key order at every depth', () => {
    const a = canonicalJson({ b: 1, a: { y: [1, { d: 2, c: 3 }], x: null } });
    const b = canonicalJson({ a: { x: null, y: [1, { c: 3, d: 2 }] }, b: 1 });

    expect(a).toBe(b);
  });

  it('keeps array order', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

describe('buildBusinessKey', () => {
  it('follows entity_id_action_hash', () => {
    const key = businessKeyOf(payment, task);

    expect(key).toMatch(/^payment_98345_capture_[0-9a-f]{32}$/);
  });

  it('gives the same key for the same intent', () => {
    const reordered = Object.fromEntries(Object.entries(task).reverse());

    expect(businessKeyOf(payment, reordered as typeof task)).toBe(
      businessKeyOf(payment, task),
    );
  });

  it.each([
    ['amount', { amount: 1001 }],
    ['currency', { currency: 'USD' }],
    ['payer', { payerAccount: 'acct-9' }],
    ['merchant', { merchantAccount: 'acct-9' }],
    ['order', { orderId: 'ord-2' }],
  ])('changes when the %s changes', (_, change) => {
    expect(businessKeyOf(payment, { ...task, ...change })).not.toBe(
      businessKeyOf(payment, task),
    );
  });

  it('ignores fields outside the intent', () => {
    expect(businessKeyOf(payment, { ...task, description: 'x' })).toBe(
      businessKeyOf(payment, task),
    );
  });

  it('fits an SQS deduplication id for the longest ids', () => {
    const key = buildBusinessKey({
      entityType: 'notification',
      entityId: 'x'.repeat(64),
      action: 'capture',
      intent: { a: 1 },
    });

    expect(key.length).toBeLessThanOrEqual(128);
  });
});

describe('messageGroupIdOf', () => {
  it('groups by entity', () => {
    expect(messageGroupIdOf(payment, task)).toBe('payment_98345');
  });
});

describe('taskIdFor', () => {
  it('derives a stable id from the key', () => {
    expect(taskIdFor('k')).toBe(taskIdFor('k'));
    expect(taskIdFor('k')).not.toBe(taskIdFor('l'));
  });
});
