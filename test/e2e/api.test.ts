import { ApiClient } from '../support/api-client';
import {
  eventually,
  type RuntimeProcess,
  startRuntimeProcess,
} from '../support/runtime-process';

/**
 * End-to-end checks over HTTP only, so they run against any deployment:
 * set EKBAR_API_URL (for example https://ID.execute-api.ap-south-1.amazonaws.com/prod)
 * and EKBAR_API_KEY. Without them, the suite starts the local runtime.
 */
let runtime: RuntimeProcess | undefined;
let api: ApiClient;
const run = `${Date.now().toString(36)}${process.pid}`;
let sequence = 0;

const newPayment = (overrides: Record<string, unknown> = {}) => {
  sequence += 1;
  return {
    paymentId: `pay-${run}-${sequence}`,
    orderId: `ord-${run}-${sequence}`,
    payerAccount: 'acct-payer-e2e',
    merchantAccount: 'acct-merchant-e2e',
    amount: 12_345,
    currency: 'INR',
    ...overrides,
  };
};

const key = (name: string) => `${run}-${name}`;

const completed = (taskId: string) =>
  eventually(
    async () => {
      const status = await api.get(taskId);
      return status.body.status === 'completed' ? status : undefined;
    },
    60_000,
    `task ${taskId} to complete`,
  );

beforeAll(async () => {
  const deployedUrl = process.env.EKBAR_API_URL;
  if (deployedUrl) {
    api = new ApiClient(
      deployedUrl.replace(/\/$/, ''),
      process.env.EKBAR_API_KEY ?? '',
    );
    return;
  }
  runtime = await startRuntimeProcess();
  api = new ApiClient(runtime.apiUrl, runtime.apiKey);
});

afterAll(async () => {
  await runtime?.stop();
});

describe('task API end to end', () => {
  it('replays a repeated payment and completes it', async () => {
    const payment = newPayment();

    const first = await api.post('payment', payment, {
      'Idempotency-Key': key('replay'),
    });
    const second = await api.post('payment', payment, {
      'Idempotency-Key': key('replay'),
    });

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.taskId).toBe(first.body.taskId);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const status = await completed(first.body.taskId as string);
    expect(status.body.result).toEqual({
      outcome: 'captured',
      entries: ['DEBIT', 'CREDIT'],
    });
  });

  it('rejects the same key with a different amount', async () => {
    const payment = newPayment();
    await api.post('payment', payment, { 'Idempotency-Key': key('reuse') });

    const changed = await api.post(
      'payment',
      { ...payment, amount: payment.amount + 1 },
      { 'Idempotency-Key': key('reuse') },
    );

    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toContain(
      'application/problem+json',
    );
  });

  it('answers 50 concurrent requests with one key with one task', async () => {
    const payment = newPayment();

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post('payment', payment, { 'Idempotency-Key': key('burst') }),
      ),
    );

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((s) => s !== 202 && s !== 409)).toEqual([]);
    const taskIds = new Set(
      answers.filter((a) => a.status === 202).map((a) => a.body.taskId),
    );
    expect(taskIds.size).toBe(1);
  });

  it('returns the existing task for the same payment under a new key', async () => {
    const payment = newPayment();
    const first = await api.post('payment', payment, {
      'Idempotency-Key': key('k1'),
    });

    const second = await api.post('payment', payment, {
      'Idempotency-Key': key('k2'),
    });

    expect(second.status).toBe(202);
    expect(second.body.taskId).toBe(first.body.taskId);
  });

  it.each([
    ['a missing key', {}, 400],
    ['an empty key', { 'Idempotency-Key': '' }, 400],
    ['a 256-character key', { 'Idempotency-Key': 'k'.repeat(256) }, 400],
  ])('rejects %s', async (_, headers, status) => {
    const result = await api.post('payment', newPayment(), headers);

    expect(result.status).toBe(status);
    expect(result.body.detail).toContain('Idempotency-Key');
  });

  it('answers an unknown class with 404', async () => {
    const result = await api.post('refund', newPayment(), {
      'Idempotency-Key': key('404'),
    });

    expect(result.status).toBe(404);
  });

  it('rejects a request without an API key', async () => {
    const anonymous = new ApiClient(api.baseUrl, '');

    const result = await anonymous.post('analytics', {
      eventId: `evt-${run}`,
      name: 'n',
      entityId: 'e',
    });

    expect([401, 403]).toContain(result.status);
  });
});
