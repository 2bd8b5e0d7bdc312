import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiEvent, lambdaContext } from '../support/api-event';
import {
  startTestEnvironment,
  type TestEnvironment,
} from '../support/emulator';
import { receiveAll } from '../support/sqs';

type Handler = typeof import('../../functions/ingest/handler').handler;

let environment: TestEnvironment;
let handler: Handler;
let sequence = 0;

const payment = (overrides: Record<string, unknown> = {}) => {
  sequence += 1;
  return {
    paymentId: `pay-${process.pid}-${sequence}`,
    orderId: `ord-${sequence}`,
    payerAccount: 'acct-payer-1',
    merchantAccount: 'acct-merchant-1',
    amount: 49_900,
    currency: 'INR',
    ...overrides,
  };
};

const post = (
  target: string,
  body: unknown,
  headers: Record<string, string> = {},
  apiKeyId = 'caller-a',
): Promise<APIGatewayProxyResult> =>
  handler(
    apiEvent({ method: 'POST', target, body, headers, apiKeyId }),
    lambdaContext('ingest'),
  );

const json = (result: APIGatewayProxyResult) => JSON.parse(result.body);

const queueDepth = async (className: string): Promise<number> => {
  const { Attributes } = await new SQSClient({}).send(
    new GetQueueAttributesCommand({
      QueueUrl: environment.queuesOf(className).queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
};

beforeAll(async () => {
  environment = await startTestEnvironment();
  // Imported after the emulator is set up, so its clients use it.
  ({ handler } = require('../../functions/ingest/handler'));
});

afterAll(async () => {
  await environment?.stop();
});

describe('POST /v1/tasks/{class}', () => {
  it('accepts a payment with 202 and enqueues it once', async () => {
    const before = await queueDepth('payment');

    const result = await post('payment', payment(), {
      'Idempotency-Key': 'k-accept',
    });

    expect(result.statusCode).toBe(202);
    const body = json(result);
    expect(body.taskId).toMatch(/^tsk_[0-9a-f]{26}$/);
    expect(body.status).toBe('accepted');
    expect(body.statusUrl).toBe(`/v1/tasks/${body.taskId}`);
    expect(await queueDepth('payment')).toBe(before + 1);
  });

  it('replays the stored response for the same key and body', async () => {
    const task = payment();
    const first = await post('payment', task, {
      'Idempotency-Key': 'k-replay',
    });

    const second = await post('payment', task, {
      'idempotency-key': 'k-replay',
    });

    expect(second.statusCode).toBe(202);
    expect(second.body).toBe(first.body);
    expect(second.headers?.['Idempotent-Replayed']).toBe('true');
    expect(first.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  it('rejects the same key with a different amount', async () => {
    const task = payment();
    await post('payment', task, { 'Idempotency-Key': 'k-reuse' });
    const depth = await queueDepth('payment');

    const result = await post(
      'payment',
      { ...task, amount: task.amount + 1 },
      { 'Idempotency-Key': 'k-reuse' },
    );

    expect(result.statusCode).toBe(422);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(json(result).detail).toContain('Idempotency-Key');
    expect(await queueDepth('payment')).toBe(depth);
  });

  it('answers a new key for the same payment with the existing task', async () => {
    const task = payment();
    const first = await post('payment', task, { 'Idempotency-Key': 'k-first' });
    const depth = await queueDepth('payment');

    const second = await post('payment', task, {
      'Idempotency-Key': 'k-second',
    });

    expect(second.statusCode).toBe(202);
    expect(json(second).taskId).toBe(json(first).taskId);
    expect(await queueDepth('payment')).toBe(depth);
  });

  it('scopes keys to the caller', async () => {
    const key = { 'Idempotency-Key': 'k-shared-by-callers' };
    await post('payment', payment(), key, 'caller-a');

    const other = await post('payment', payment(), key, 'caller-b');

    expect(other.statusCode).toBe(202);
    expect(other.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  it('answers concurrent requests with one key with 202 or 409 and one task', async () => {
    const task = payment();
    const depth = await queueDepth('payment');

    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('payment', task, { 'Idempotency-Key': 'k-burst' }),
      ),
    );

    const unexpected = results.filter(
      (result) => result.statusCode !== 202 && result.statusCode !== 409,
    );
    expect(unexpected.map((result) => result.body)).toEqual([]);
    const taskIds = new Set(
      results.filter((r) => r.statusCode === 202).map((r) => json(r).taskId),
    );
    expect(taskIds.size).toBe(1);
    expect(await queueDepth('payment')).toBe(depth + 1);
  });

  it.each([
    ['missing', {}, 'Idempotency-Key'],
    ['empty', { 'Idempotency-Key': '' }, 'Idempotency-Key'],
    ['too long', { 'Idempotency-Key': 'k'.repeat(256) }, 'Idempotency-Key'],
    ['not printable ASCII', { 'Idempotency-Key': 'klé' }, 'Idempotency-Key'],
  ])('rejects a %s key with 400', async (_, headers, field) => {
    const result = await post('payment', payment(), headers);

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe(field);
  });

  it.each([
    ['amount', { amount: 0 }],
    ['amount', { amount: 10.5 }],
    ['currency', { currency: 'XYZ' }],
    ['paymentId', { paymentId: 'has spaces' }],
  ])('rejects an invalid %s with 400 naming it', async (field, overrides) => {
    const result = await post('payment', payment(overrides), {
      'Idempotency-Key': `k-invalid-${field}-${JSON.stringify(overrides)}`,
    });

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe(field);
    expect(json(result).detail).toContain(field);
  });

  it('lists every invalid field in one 400', async () => {
    const result = await post(
      'payment',
      payment({ orderId: undefined, amount: '100', currency: 'XYZ' }),
      { 'Idempotency-Key': 'k-several-invalid' },
    );

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe('orderId');
    expect(json(result).detail).toContain('field "orderId" is required');
    expect(json(result).detail).toContain('field "amount" must be a number');
    expect(json(result).detail).toContain('field "currency" must be an ISO');
  });

  it('says a missing enum field is required', async () => {
    const result = await post('notification', {
      notificationId: `ntf-${process.pid}-no-channel`,
      recipient: 'a@example.com',
      template: 'welcome',
      data: {},
    });

    expect(result.statusCode).toBe(400);
    expect(json(result).detail).toBe('field "channel" is required');
  });

  // JSON.parse keeps "__proto__" as a key, but copying the object sets the
  // prototype instead, which dropped the key and its value silently.
  it('rejects a nested __proto__ key naming its path', async () => {
    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'health-record',
        rawBody: `{"recordId":"rec-${process.pid}-proto","patientId":"p-1","recordType":"lab-result","authoredBy":"dr-1","content":{"__proto__":{"hb":13.5}}}`,
        headers: { 'Idempotency-Key': 'k-proto' },
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe('content.__proto__');
    expect(json(result).detail).toContain('reserved');
  });

  // Parsers disagree on which value of a repeated key counts, so a
  // payment with two amounts must not be accepted under either reading.
  it('rejects a repeated key naming its path', async () => {
    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'payment',
        rawBody: `{"paymentId":"pay-${process.pid}-dup","orderId":"o-1","payerAccount":"a-1","merchantAccount":"m-1","amount":100,"currency":"INR","amount":100000}`,
        headers: { 'Idempotency-Key': 'k-dup' },
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe('amount');
    expect(json(result).detail).toBe(
      'field "amount" appears more than once in its object; send each field once',
    );
  });

  it('rejects a body that is not UTF-8 with 400', async () => {
    const bytes = Buffer.from(
      `{"eventId":"ev-${process.pid}-latin1","name":"caf\u00e9","entityId":"u-1"}`,
      'latin1',
    );
    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'analytics',
        rawBody: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(400);
    expect(json(result).detail).toContain('not valid UTF-8');
  });

  it('rejects a charset other than UTF-8 with 415', async () => {
    const result = await post(
      'analytics',
      { eventId: `ev-${process.pid}-charset`, name: 'n', entityId: 'u-1' },
      { 'Content-Type': 'application/json; charset=iso-8859-1' },
    );

    expect(result.statusCode).toBe(415);
    expect(json(result).detail).toContain('iso-8859-1');
  });

  it('rejects unknown fields naming them', async () => {
    const result = await post('payment', payment({ tip: 5 }), {
      'Idempotency-Key': 'k-unknown-field',
    });

    expect(result.statusCode).toBe(400);
    expect(json(result).detail).toContain('"tip"');
  });

  it('answers an unknown class with 404', async () => {
    const result = await post('refund', payment(), {
      'Idempotency-Key': 'k-404',
    });

    expect(result.statusCode).toBe(404);
    expect(json(result).detail).toContain('refund');
    expect(json(result).detail).toContain(
      'use one of payment, health-record, notification, analytics',
    );
  });

  it('rejects malformed JSON with 400', async () => {
    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'analytics',
        rawBody: '{"eventId": ',
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(400);
    expect(json(result).field).toBe('body');
  });

  it('decodes a base64-encoded body', async () => {
    const body = {
      eventId: `evt-b64-${process.pid}`,
      name: 'page-view',
      entityId: 'home',
    };

    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'analytics',
        rawBody: Buffer.from(JSON.stringify(body)).toString('base64'),
        isBase64Encoded: true,
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(202);
  });

  it('accepts an analytics event without a key and deduplicates it', async () => {
    const body = {
      eventId: `evt-nokey-${process.pid}`,
      name: 'click',
      entityId: 'x',
    };
    const first = await post('analytics', body);

    const second = await post('analytics', body);

    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(json(second).taskId).toBe(json(first).taskId);
    const messages = await receiveAll(
      environment.queuesOf('analytics').queueUrl,
      {
        visibilitySeconds: 0,
      },
    );
    const matching = messages.filter((m) => m.Body?.includes(body.eventId));
    expect(matching).toHaveLength(1);
  });

  it('rejects a request without caller identity with 401', async () => {
    const result = await handler(
      apiEvent({
        method: 'POST',
        target: 'analytics',
        body: {},
        apiKeyId: null,
      }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(401);
  });
});

describe('GET /v1/tasks/{taskId}', () => {
  it('reports an accepted task to its caller', async () => {
    const created = json(
      await post('payment', payment(), { 'Idempotency-Key': 'k-get' }),
    );

    const result = await handler(
      apiEvent({ method: 'GET', target: created.taskId }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(200);
    expect(json(result)).toMatchObject({
      taskId: created.taskId,
      class: 'payment',
      status: 'accepted',
    });
  });

  it('hides a task from other callers', async () => {
    const created = json(
      await post('payment', payment(), { 'Idempotency-Key': 'k-hidden' }),
    );

    const result = await handler(
      apiEvent({ method: 'GET', target: created.taskId, apiKeyId: 'caller-z' }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(404);
  });

  it('shortens a long unknown task id in the 404', async () => {
    const taskId = `tsk_${'a'.repeat(2_000)}`;

    const result = await handler(
      apiEvent({ method: 'GET', target: taskId }),
      lambdaContext('ingest'),
    );

    expect(result.statusCode).toBe(404);
    expect(json(result).detail).toContain('(2004 characters)');
    expect(json(result).detail.length).toBeLessThan(200);
  });

  it('never stores the payload in the task record', async () => {
    await post('payment', payment({ payerAccount: 'acct-secret-777' }), {
      'Idempotency-Key': 'k-payload',
    });

    const { Items } = await new DynamoDBClient({}).send(
      new ScanCommand({ TableName: 'ekbar-tasks' }),
    );

    expect(JSON.stringify(Items)).not.toContain('acct-secret-777');
  });
});

describe('Idempotency-Key header', () => {
  it('rejects a key sent twice', async () => {
    const event = apiEvent({
      method: 'POST',
      target: 'analytics',
      body: { eventId: `evt-twice-${process.pid}`, name: 'n', entityId: 'e' },
      headers: { 'Idempotency-Key': 'a, b' },
    });
    event.multiValueHeaders['Idempotency-Key'] = ['a', 'b'];

    const result = await handler(event, lambdaContext('ingest'));

    expect(result.statusCode).toBe(400);
    expect(json(result).detail).toContain('more than once');
  });
});
