import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  type Message,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { consumerIdempotencyIdOf } from '../../functions/shared/task-store';
import { apiEvent, lambdaContext } from '../support/api-event';
import {
  startTestEnvironment,
  type TestEnvironment,
  useConsumerEnvironment,
} from '../support/emulator';
import {
  type ConsumerHandler,
  deleteMessage,
  deliverOnce,
  queueArnOf,
  receiveAll,
  toSqsEvent,
} from '../support/sqs';

let environment: TestEnvironment;
let ingest: typeof import('../../functions/ingest/handler').handler;
let paymentConsumer: ConsumerHandler;
let sequence = 0;
const dynamodb = () => new DynamoDBClient({});

const newPayment = (overrides: Record<string, unknown> = {}) => {
  sequence += 1;
  return {
    paymentId: `pay-c-${process.pid}-${sequence}`,
    orderId: `ord-${sequence}`,
    payerAccount: 'acct-payer-1',
    merchantAccount: 'acct-merchant-1',
    amount: 125_000,
    currency: 'INR',
    ...overrides,
  };
};

const submit = async (
  className: string,
  body: unknown,
  key: string,
): Promise<string> => {
  const result = await ingest(
    apiEvent({
      method: 'POST',
      target: className,
      body,
      headers: { 'Idempotency-Key': key },
    }),
    lambdaContext('ingest'),
  );
  expect(result.statusCode).toBe(202);
  return JSON.parse(result.body).taskId;
};

const ledgerEntries = async (paymentId: string) => {
  const { Items } = await dynamodb().send(
    new QueryCommand({
      TableName: 'ekbar-ledger',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: {
        ':pk': { S: `PAYMENT#${paymentId}` },
        ':entry': { S: 'ENTRY#' },
      },
    }),
  );
  return (Items ?? []).map((item) => unmarshall(item));
};

const taskStatus = async (taskId: string) => {
  const result = await ingest(
    apiEvent({ method: 'GET', target: taskId }),
    lambdaContext('ingest'),
  );
  return JSON.parse(result.body);
};

/** Receives the class's queue once and runs the consumer on the batch. */
const deliver = (className: string, handler: ConsumerHandler) =>
  deliverOnce(environment.queuesOf(className).queueUrl, className, handler);

beforeAll(async () => {
  environment = await startTestEnvironment();
  useConsumerEnvironment(environment, 'payment');
  ({ handler: ingest } = require('../../functions/ingest/handler'));
  ({ handler: paymentConsumer } = require('../../functions/consumers/payment'));
});

afterAll(async () => {
  await environment?.stop();
});

describe('payment consumer', () => {
  it('posts one debit and one credit and completes the task', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-ledger');

    const { response } = await deliver('payment', paymentConsumer);

    expect(response.batchItemFailures).toEqual([]);
    const entries = await ledgerEntries(payment.paymentId);
    expect(entries.map((entry) => entry.side).sort()).toEqual([
      'CREDIT',
      'DEBIT',
    ]);
    expect(entries.find((e) => e.side === 'DEBIT')?.account).toBe(
      'acct-payer-1',
    );
    expect(entries.find((e) => e.side === 'CREDIT')?.account).toBe(
      'acct-merchant-1',
    );
    expect((await taskStatus(taskId)).status).toBe('completed');
  });

  it('does not repeat the effect for a duplicate delivery', async () => {
    const payment = newPayment();
    await submit('payment', payment, 'k-duplicate-delivery');
    const { event } = await deliver('payment', paymentConsumer);

    const again = await paymentConsumer(
      event,
      lambdaContext('consumer-payment'),
    );

    expect(again.batchItemFailures).toEqual([]);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(2);
  });

  it('holds a payment above the review limit', async () => {
    const payment = newPayment({ amount: 10_000_001 });
    const taskId = await submit('payment', payment, 'k-review');

    await deliver('payment', paymentConsumer);

    expect(await ledgerEntries(payment.paymentId)).toEqual([]);
    expect((await taskStatus(taskId)).status).toBe('held-for-review');
  });

  it('dead-letters a payment id reused with another intent', async () => {
    const payment = newPayment();
    await submit('payment', payment, 'k-conflict-1');
    await deliver('payment', paymentConsumer);
    const taskId = await submit(
      'payment',
      { ...payment, amount: payment.amount + 100 },
      'k-conflict-2',
    );

    const { response } = await deliver('payment', paymentConsumer);

    expect(response.batchItemFailures).toEqual([]);
    const status = await taskStatus(taskId);
    expect(status.status).toBe('dead-lettered');
    expect(status.reason).toContain('different intent');
    const dead = await receiveAll(environment.queuesOf('payment').dlqUrl, {
      waitSeconds: 1,
      visibilitySeconds: 0,
    });
    expect(
      dead.some(
        (m) => m.MessageAttributes?.['ekbar-task-id']?.StringValue === taskId,
      ),
    ).toBe(true);
  });

  it('dead-letters a non-JSON message with its reason', async () => {
    const { queueUrl, dlqUrl } = environment.queuesOf('payment');
    await new SQSClient({}).send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'not json at all',
        MessageGroupId: 'poison',
        MessageDeduplicationId: `poison-${Date.now()}`,
      }),
    );

    const { response } = await deliver('payment', paymentConsumer);

    expect(response.batchItemFailures).toEqual([]);
    const dead = await receiveAll(dlqUrl, {
      waitSeconds: 1,
      visibilitySeconds: 0,
    });
    const poison = dead.find((m) => m.Body === 'not json at all');
    expect(poison?.MessageAttributes?.['ekbar-reason']?.StringValue).toBe(
      'message body is not valid JSON',
    );
  });

  it('keeps the effect once when the idempotency record is gone', async () => {
    const payment = newPayment();
    await submit('payment', payment, 'k-record-gone');
    const { event } = await deliver('payment', paymentConsumer);
    const { Items } = await dynamodb().send(
      new ScanCommand({ TableName: 'ekbar-idempotency' }),
    );
    for (const item of Items ?? []) {
      await dynamodb().send(
        new DeleteItemCommand({
          TableName: 'ekbar-idempotency',
          Key: { id: item.id as AttributeValue },
        }),
      );
    }

    const again = await paymentConsumer(
      event,
      lambdaContext('consumer-payment'),
    );

    expect(again.batchItemFailures).toEqual([]);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(2);
  });

  it('applies a payment once when the consumer dies after the effect', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-crash');
    const { queueUrl } = environment.queuesOf('payment');
    const messages = await receiveAll(queueUrl, { waitSeconds: 1 });
    expect(messages).toHaveLength(1);
    const folder = mkdtempSync(join(tmpdir(), 'ekbar-crash-'));
    const eventFile = join(folder, 'event.json');
    writeFileSync(
      eventFile,
      JSON.stringify(toSqsEvent(messages, queueArnOf(queueUrl))),
    );

    // A budget of 1 s makes the Powertools in-progress lock expire quickly.
    const crashed = spawnSync(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        join(__dirname, '..', '..', 'scripts', 'invoke.ts'),
        'consumer-payment',
        eventFile,
        '1',
      ],
      {
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          // tsx runs the script in a child process, which inherits this.
          NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'crash-after-effect.cjs')}`,
        },
        encoding: 'utf8',
      },
    );

    expect(crashed.stderr).toBe('');
    // tsx relays its child's SIGKILL as exit status 128 + 9.
    expect(crashed.status).toBe(137);
    expect(crashed.stdout).toBe('');
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(2);
    const { Items } = await dynamodb().send(
      new ScanCommand({ TableName: 'ekbar-idempotency' }),
    );
    // The completion commits in the effect's transaction, so the crash
    // leaves no gap: the record is already COMPLETED.
    const record = Items?.find(
      (item) => item.data?.M?.outcome?.S === 'captured',
    );
    expect(record?.status?.S).toBe('COMPLETED');

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await new SQSClient({}).send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: messages[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const { response } = await deliver('payment', paymentConsumer);

    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(2);
    expect((await taskStatus(taskId)).status).toBe('completed');
  });
});

describe('payment consumer, lock of a stopped attempt', () => {
  /**
   * Writes the in-progress idempotency record that an attempt leaves when
   * it stops between its claim and its completion.
   */
  const holdClaim = async (
    message: Message,
    expiresInMs: number,
  ): Promise<number> => {
    const { businessKey } = JSON.parse(message.Body as string);
    const expiresAtMs = Date.now() + expiresInMs;
    await dynamodb().send(
      new PutItemCommand({
        TableName: 'ekbar-idempotency',
        Item: {
          id: { S: consumerIdempotencyIdOf('payment', businessKey) },
          status: { S: 'INPROGRESS' },
          expiration: { N: String(Math.floor(Date.now() / 1000) + 3_600) },
          in_progress_expiration: { N: String(expiresAtMs) },
        },
      }),
    );
    return expiresAtMs;
  };

  /** Returns the SQS event of a payment's last attempt, its second receive. */
  const lastAttemptEventOf = (message: Message, queueUrl: string) => {
    const event = toSqsEvent([message], queueArnOf(queueUrl));
    (event.Records[0] as SQSRecord).attributes.ApproximateReceiveCount = '2';
    return event;
  };

  /** Returns the messages of a task in the payment dead-letter queue. */
  const deadLettersOf = async (taskId: string) =>
    (
      await receiveAll(environment.queuesOf('payment').dlqUrl, {
        visibilitySeconds: 0,
      })
    ).filter(
      (m) => m.MessageAttributes?.['ekbar-task-id']?.StringValue === taskId,
    );

  const receiveOne = async (queueUrl: string): Promise<Message> => {
    const messages = await receiveAll(queueUrl, { waitSeconds: 1 });
    expect(messages).toHaveLength(1);
    return messages[0] as Message;
  };

  it('waits out a short lock', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-held-briefly');
    const { queueUrl } = environment.queuesOf('payment');
    const message = await receiveOne(queueUrl);
    // Short enough to wait for within a payment's 5 s timeout.
    const expiresAtMs = await holdClaim(message, 600);
    const event = lastAttemptEventOf(message, queueUrl);

    const response = await paymentConsumer(
      event,
      lambdaContext('consumer-payment', 5_000),
    );
    await deleteMessage(queueUrl, message);

    expect(response.batchItemFailures).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(2);
    expect((await taskStatus(taskId)).status).toBe('completed');
    expect(await deadLettersOf(taskId)).toEqual([]);
  });

  it('retries after a second lock', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-held-twice');
    const { queueUrl } = environment.queuesOf('payment');
    const message = await receiveOne(queueUrl);
    await holdClaim(message, 600);
    const event = lastAttemptEventOf(message, queueUrl);

    const handled = paymentConsumer(
      event,
      lambdaContext('consumer-payment', 5_000),
    );
    // A second attempt claims the task while this one waits.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await holdClaim(message, 30_000);
    const response = await handled;
    await deleteMessage(queueUrl, message);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: message.MessageId },
    ]);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(0);
    expect(await deadLettersOf(taskId)).toEqual([]);
  });

  it('keeps time for the task', async () => {
    const payment = newPayment();
    await submit('payment', payment, 'k-held-medium');
    const { queueUrl } = environment.queuesOf('payment');
    const message = await receiveOne(queueUrl);
    // Waiting 1.5 s would leave less than 80% of the 5 s timeout.
    const expiresAtMs = await holdClaim(message, 1_500);

    const response = await paymentConsumer(
      toSqsEvent([message], queueArnOf(queueUrl)),
      lambdaContext('consumer-payment', 5_000),
    );
    const returnedAtMs = Date.now();
    await deleteMessage(queueUrl, message);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: message.MessageId },
    ]);
    expect(returnedAtMs).toBeLessThan(expiresAtMs);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(0);
  });

  it('delays the last attempt past a long lock', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-held-last');
    const { queueUrl } = environment.queuesOf('payment');
    const message = await receiveOne(queueUrl);
    await holdClaim(message, 30_000);
    const event = lastAttemptEventOf(message, queueUrl);

    const response = await paymentConsumer(
      event,
      lambdaContext('consumer-payment', 5_000),
    );
    await deleteMessage(queueUrl, message);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: message.MessageId },
    ]);
    expect((await taskStatus(taskId)).status).not.toBe('dead-lettered');
    expect(await deadLettersOf(taskId)).toEqual([]);
  });

  it('delays the retry past a long lock', async () => {
    const payment = newPayment();
    const taskId = await submit('payment', payment, 'k-held-long');
    const { queueUrl } = environment.queuesOf('payment');
    const message = await receiveOne(queueUrl);
    await holdClaim(message, 30_000);

    const response = await paymentConsumer(
      toSqsEvent([message], queueArnOf(queueUrl)),
      lambdaContext('consumer-payment', 5_000),
    );

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: message.MessageId },
    ]);
    // The lock belongs to the stopped attempt, so nothing is processing.
    const status = await taskStatus(taskId);
    expect(status.status).toBe('retrying');
    expect(Date.parse(status.nextAttemptAt)).toBeGreaterThan(
      Date.now() + 20_000,
    );
    // A payment's backoff is 5 s; the record must stay hidden past it.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const early = await receiveAll(queueUrl);
    await deleteMessage(queueUrl, early[0] ?? message);
    expect(early).toEqual([]);
    expect(await ledgerEntries(payment.paymentId)).toHaveLength(0);
  });
});
