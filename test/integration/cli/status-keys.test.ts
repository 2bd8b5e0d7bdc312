import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { consumerIdempotencyIdOf } from '../../../functions/shared/task-store';
import {
  startTestEnvironment,
  type TestEnvironment,
} from '../../support/emulator';
import {
  auditEntriesOf,
  ledgerEntriesOf,
  newPayment,
  overrideCount,
  Pipeline,
  runEkbar,
  runEkbarInProcess,
} from './harness';

let environment: TestEnvironment;
let pipeline: Pipeline;

/** Submits a payment and lets the consumer capture it. */
const completedPayment = async () => {
  const payment = newPayment();
  const { taskId } = await pipeline.submit(
    'payment',
    payment,
    `k-${payment.paymentId}`,
  );
  await pipeline.deliver('payment');
  return { payment, taskId };
};

const idempotencyRecord = async (id: string) => {
  const { Item } = await new DynamoDBClient({}).send(
    new GetItemCommand({
      TableName: 'ekbar-idempotency',
      Key: { id: { S: id } },
    }),
  );
  return Item;
};

beforeAll(async () => {
  environment = await startTestEnvironment();
  pipeline = new Pipeline(environment);
});

afterAll(async () => {
  await environment?.stop();
});

describe('ekbar status', () => {
  it('prints a completed task for people', async () => {
    const { taskId } = await completedPayment();

    const run = await runEkbar(['status', taskId]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Status:\s+completed/);
    expect(run.stdout).toContain(taskId);
  });

  it('prints one JSON document with --json', async () => {
    const { taskId } = await completedPayment();

    const run = await runEkbar(['status', taskId, '--json']);

    expect(run.status).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.status).toBe('completed');
    expect(document.class).toBe('payment');
    expect(document.result.outcome).toBe('captured');
  });

  it('reports a missing task in one line', async () => {
    const run = await runEkbar(['status', 'tsk_missing']);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('task "tsk_missing" was not found');
  });

  it.each([
    ['an empty', ''],
    ['a blank', '  '],
  ])('rejects %s task id as usage', async (_case, taskId) => {
    const run = await runEkbarInProcess(['status', taskId]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('the task id is empty');
  });

  it('reports a missing task as JSON with --json', async () => {
    const run = await runEkbarInProcess(['status', 'tsk_missing', '--json']);

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).error.code).toBe('not-found');
  });
});

describe('ekbar keys show', () => {
  it('shows a completed record with its expiry', async () => {
    const { taskId } = await completedPayment();

    const run = await runEkbar(['keys', 'show', 'payment', taskId, '--json']);

    expect(run.status).toBe(0);
    const key = JSON.parse(run.stdout);
    expect(key.status).toBe('COMPLETED');
    expect(key.id).toBe(consumerIdempotencyIdOf('payment', key.businessKey));
    expect(key.expired).toBe(false);
    expect(Date.parse(key.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('rejects a task of another class', async () => {
    const { taskId } = await completedPayment();

    const run = await runEkbarInProcess([
      'keys',
      'show',
      'notification',
      taskId,
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is a payment task, not notification');
  });

  it('rejects an unknown class with the valid ones', async () => {
    const run = await runEkbarInProcess(['keys', 'show', 'paymnt', 'tsk_x']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('use one of: payment, health-record');
  });

  it('rejects an empty task id as usage', async () => {
    const run = await runEkbarInProcess(['keys', 'show', 'payment', '']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the task id is empty');
  });

  it('reports a task without a record', async () => {
    const payment = newPayment();
    const { taskId } = await pipeline.submit(
      'payment',
      payment,
      `k-${payment.paymentId}`,
    );

    const run = await runEkbarInProcess(['keys', 'show', 'payment', taskId]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('has no idempotency record');
    // Deliver it, so that later tests find the queue empty.
    await pipeline.deliver('payment');
  });
});

/**
 * Writes the record a payment consumer leaves when it dies after claiming
 * the task: INPROGRESS, locked for 10 minutes. Returns the record's id.
 */
const plantLock = async (businessKey: string): Promise<string> => {
  const id = consumerIdempotencyIdOf('payment', businessKey);
  await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
    new PutCommand({
      TableName: 'ekbar-idempotency',
      Item: {
        id,
        status: 'INPROGRESS',
        expiration: Math.floor(Date.now() / 1000) + 3_600,
        in_progress_expiration: Date.now() + 600_000,
      },
    }),
  );
  return id;
};

describe('ekbar keys release', () => {
  it('rejects a COMPLETED record and keeps it', async () => {
    const { taskId } = await completedPayment();
    const key = JSON.parse(
      (await runEkbarInProcess(['keys', 'show', 'payment', taskId, '--json']))
        .stdout,
    );

    const run = await runEkbar([
      'keys',
      'release',
      'payment',
      taskId,
      '--reason',
      'test',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is COMPLETED, not INPROGRESS');
    expect(await idempotencyRecord(key.id)).toBeDefined();
  });

  it('requires a reason', async () => {
    const run = await runEkbarInProcess([
      'keys',
      'release',
      'payment',
      'tsk_x',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("required option '--reason <text>'");
  });

  it('rejects an empty reason', async () => {
    const run = await runEkbarInProcess([
      'keys',
      'release',
      'payment',
      'tsk_x',
      '--reason',
      '  ',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the reason is empty');
  });

  it('releases a stuck INPROGRESS record', async () => {
    const payment = newPayment();
    const { taskId } = await pipeline.submit(
      'payment',
      payment,
      `k-${payment.paymentId}`,
    );
    const task = JSON.parse(
      (await runEkbarInProcess(['status', taskId, '--json'])).stdout,
    );
    const id = await plantLock(task.businessKey);
    const stuck = await runEkbarInProcess(['status', taskId, '--json']);
    expect(JSON.parse(stuck.stdout).status).toBe('processing');

    const run = await runEkbar([
      'keys',
      'release',
      'payment',
      taskId,
      '--reason',
      'consumer died during deploy',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `Released the INPROGRESS idempotency record of task ${taskId}`,
    );
    expect(await idempotencyRecord(id)).toBeUndefined();
    const audit = await auditEntriesOf(`payment#${payment.paymentId}`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'release',
      operator: 'ops-a',
      reason: 'consumer died during deploy',
      taskId,
    });
    expect(await overrideCount('payment', 'release')).toBe(1);

    await pipeline.deliver('payment');

    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
  });

  it('names when a delayed retry comes', async () => {
    const payment = newPayment();
    const { taskId } = await pipeline.submit(
      'payment',
      payment,
      `k-${payment.paymentId}`,
    );
    const task = JSON.parse(
      (await runEkbarInProcess(['status', taskId, '--json'])).stdout,
    );
    await plantLock(task.businessKey);
    // The consumer meets the lock and hides the message until it expires.
    await pipeline.deliver('payment');
    const retrying = JSON.parse(
      (await runEkbarInProcess(['status', taskId, '--json'])).stdout,
    );

    const run = await runEkbarInProcess([
      'keys',
      'release',
      'payment',
      taskId,
      '--reason',
      'consumer died during deploy',
      '--operator',
      'ops-a',
    ]);

    expect(retrying.status).toBe('retrying');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `which SQS delivers at ${retrying.nextAttemptAt}`,
    );
  });
});
