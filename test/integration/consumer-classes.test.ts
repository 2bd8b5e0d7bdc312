import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { apiEvent, lambdaContext } from '../support/api-event';
import {
  startTestEnvironment,
  type TestEnvironment,
  useConsumerEnvironment,
} from '../support/emulator';
import {
  type ConsumerHandler,
  deliverOnce,
  queueArnOf,
  receiveAll,
  toSqsEvent,
} from '../support/sqs';

let environment: TestEnvironment;
let ingest: typeof import('../../functions/ingest/handler').handler;
let provider: Server;
let providerStatus = 201;
const providerCalls: { key: string | undefined }[] = [];

const submit = async (className: string, body: unknown, key?: string) => {
  const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
  const result = await ingest(
    apiEvent({ method: 'POST', target: className, body, headers }),
    lambdaContext('ingest'),
  );
  expect(result.statusCode).toBe(202);
  return JSON.parse(result.body).taskId as string;
};

const statusOf = async (taskId: string) => {
  const result = await ingest(
    apiEvent({ method: 'GET', target: taskId }),
    lambdaContext('ingest'),
  );
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body);
};

/** Loads a consumer module with its own queue environment. */
const consumerFor = (className: string): ConsumerHandler => {
  useConsumerEnvironment(environment, className);
  let handler: ConsumerHandler | undefined;
  jest.isolateModules(() => {
    ({ handler } = require(`../../functions/consumers/${className}`));
  });
  return handler as ConsumerHandler;
};

const deliver = (
  className: string,
  handler: ConsumerHandler,
  waitSeconds = 1,
) => {
  useConsumerEnvironment(environment, className);
  const { queueUrl } = environment.queuesOf(className);
  return deliverOnce(queueUrl, className, handler, waitSeconds);
};

beforeAll(async () => {
  provider = createServer((request, response) => {
    providerCalls.push({ key: request.headers['idempotency-key'] as string });
    request.resume();
    request.on('end', () => {
      response.writeHead(providerStatus, {
        'Content-Type': 'application/json',
      });
      response.end(JSON.stringify({ id: `msg-${providerCalls.length}` }));
    });
  });
  await new Promise<void>((resolve) =>
    provider.listen(0, '127.0.0.1', resolve),
  );
  const { port } = provider.address() as AddressInfo;
  environment = await startTestEnvironment({
    EKBAR_NOTIFICATION_PROVIDER_URL: `http://127.0.0.1:${port}`,
  });
  ({ handler: ingest } = require('../../functions/ingest/handler'));
});

afterAll(async () => {
  await environment?.stop();
  await new Promise((resolve) => provider?.close(resolve));
});

describe('health-record consumer', () => {
  it('stores the record with one audit entry, once', async () => {
    const handler = consumerFor('health-record');
    const record = {
      recordId: `rec-${process.pid}`,
      patientId: 'patient-1',
      recordType: 'prescription',
      authoredBy: 'dr-rao',
      content: { drug: 'amoxicillin', doseMg: 500 },
    };
    await submit('health-record', record, 'k-health');
    const { messages } = await deliver('health-record', handler);

    await handler(
      toSqsEvent(
        messages,
        queueArnOf(environment.queuesOf('health-record').queueUrl),
      ),
      lambdaContext('consumer-health-record'),
    );

    const db = new DynamoDBClient({});
    const stored = await db.send(
      new GetItemCommand({
        TableName: 'ekbar-health-records',
        Key: { pk: { S: `RECORD#${record.recordId}` }, sk: { S: 'RECORD' } },
      }),
    );
    expect(unmarshall(stored.Item ?? {}).content).toEqual(record.content);
    const audit = await db.send(
      new QueryCommand({
        TableName: 'ekbar-audit',
        KeyConditionExpression: 'entity = :entity',
        ExpressionAttributeValues: {
          ':entity': { S: `health-record#${record.recordId}` },
        },
      }),
    );
    expect(audit.Items).toHaveLength(1);
    expect(JSON.stringify(audit.Items)).not.toContain('amoxicillin');
  });
});

describe('analytics consumer', () => {
  it('counts each event once', async () => {
    const handler = consumerFor('analytics');
    const event = {
      eventId: `evt-${process.pid}`,
      name: 'signup',
      entityId: 'web',
      value: 3,
    };
    await submit('analytics', event);
    const { messages } = await deliver('analytics', handler);

    await handler(
      toSqsEvent(
        messages,
        queueArnOf(environment.queuesOf('analytics').queueUrl),
      ),
      lambdaContext('consumer-analytics'),
    );

    const { Item } = await new DynamoDBClient({}).send(
      new GetItemCommand({
        TableName: 'ekbar-analytics',
        Key: { pk: { S: 'COUNTER#signup#web' } },
      }),
    );
    expect(unmarshall(Item ?? {})).toMatchObject({ count: 1, total: 3 });
  });
});

describe('notification consumer', () => {
  it('sends the business key as the provider Idempotency-Key', async () => {
    const handler = consumerFor('notification');
    providerStatus = 201;
    const before = providerCalls.length;
    await submit('notification', {
      notificationId: `ntf-${process.pid}`,
      recipient: 'asha@example.com',
      channel: 'email',
      template: 'receipt',
      data: { orderId: 'ord-1' },
    });

    const { response } = await deliver('notification', handler);

    expect(response.batchItemFailures).toEqual([]);
    expect(providerCalls.slice(before)).toHaveLength(1);
    expect(providerCalls.at(-1)?.key).toMatch(
      /^notification_ntf-\d+_send_[0-9a-f]{32}$/,
    );
  });

  it('reports a retry in the task status', async () => {
    const handler = consumerFor('notification');
    providerStatus = 503;
    const taskId = await submit('notification', {
      notificationId: `ntf-retry-${process.pid}`,
      recipient: '+919800000001',
      channel: 'sms',
      template: 'otp',
      data: {},
    });

    const before = Date.now();
    await deliver('notification', handler);
    const retrying = await statusOf(taskId);
    providerStatus = 201;
    await deliver('notification', handler, 10);
    const completed = await statusOf(taskId);

    expect(retrying.status).toBe('retrying');
    expect(retrying.reason).toMatch(/^attempt 1 of 4 failed: /);
    // The first backoff of a notification is 2 s.
    expect(Date.parse(retrying.nextAttemptAt)).toBeGreaterThanOrEqual(
      before + 2_000,
    );
    expect(Date.parse(retrying.nextAttemptAt)).toBeLessThan(before + 10_000);
    expect(completed.status).toBe('completed');
    expect(completed.reason).toBeUndefined();
    expect(completed.nextAttemptAt).toBeUndefined();
  });

  it('retries with the class backoff, then dead-letters with the reason', async () => {
    const handler = consumerFor('notification');
    providerStatus = 503;
    const taskId = await submit('notification', {
      notificationId: `ntf-fail-${process.pid}`,
      recipient: '+919800000000',
      channel: 'sms',
      template: 'otp',
      data: {},
    });
    const attempts: number[] = [];
    const gaps: number[] = [];
    let last = Date.now();

    // 1 attempt + 3 retries; the backoff is 2, 4 and 8 seconds.
    for (let round = 0; round < 4; round += 1) {
      const { messages } = await deliver('notification', handler, 10);
      expect(messages).toHaveLength(1);
      attempts.push(Number(messages[0]?.Attributes?.ApproximateReceiveCount));
      gaps.push(Date.now() - last);
      last = Date.now();
    }

    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(gaps[1]).toBeGreaterThanOrEqual(1_500);
    expect(gaps[2]).toBeGreaterThanOrEqual(3_500);
    expect(gaps[3]).toBeGreaterThanOrEqual(7_500);
    const dead = await receiveAll(environment.queuesOf('notification').dlqUrl, {
      waitSeconds: 1,
      visibilitySeconds: 0,
    });
    const letter = dead.find(
      (m) => m.MessageAttributes?.['ekbar-task-id']?.StringValue === taskId,
    );
    expect(letter?.MessageAttributes?.['ekbar-reason']?.StringValue).toContain(
      'failed after 4 attempts',
    );
    expect(letter?.MessageAttributes?.['ekbar-attempts']?.StringValue).toBe(
      '4',
    );
    expect(
      await receiveAll(environment.queuesOf('notification').queueUrl),
    ).toEqual([]);
  });
});
