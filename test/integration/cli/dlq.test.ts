import { randomUUID } from 'node:crypto';
import {
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NO_REASON_RECORDED } from '../../../cli/dead-letters';
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

/**
 * Receives the payment queue without deleting until SQS moves its
 * messages to the dead-letter queue (maxReceiveCount is 3), as when a
 * consumer keeps failing before it can record a reason.
 */
const exhaustReceives = async (): Promise<void> => {
  const sqs = new SQSClient({});
  const { queueUrl } = environment.queuesOf('payment');
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
      }),
    );
    if (!Messages?.length && attempt >= 2) {
      return;
    }
  }
};

/** Submits a payment and lets SQS dead-letter it before any consumer runs. */
const deadLetteredBySqs = async () => {
  const payment = newPayment();
  const { taskId } = await pipeline.submit(
    'payment',
    payment,
    `k-${payment.paymentId}`,
  );
  await exhaustReceives();
  return { payment, taskId };
};

/**
 * Submits a payment and then a second one with the same payment id and
 * another amount, which its consumer dead-letters with a reason.
 */
const deadLetteredByConsumer = async () => {
  const payment = newPayment();
  await pipeline.submit('payment', payment, `k-${payment.paymentId}-1`);
  await pipeline.deliver('payment');
  const { taskId } = await pipeline.submit(
    'payment',
    { ...payment, amount: payment.amount + 100 },
    `k-${payment.paymentId}-2`,
  );
  await pipeline.deliver('payment');
  return { payment, taskId };
};

/** Returns `ekbar status --json` of a task. */
const statusOf = async (taskId: string) => {
  const run = await runEkbarInProcess(['status', taskId, '--json']);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
};

interface ListedLetter {
  messageId: string;
  taskId?: string;
  reason: string;
  attempts?: number;
}

const listPayment = async (): Promise<ListedLetter[]> => {
  const run = await runEkbarInProcess(['dlq', 'list', 'payment', '--json']);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout).deadLetters;
};

const letterOf = async (taskId: string): Promise<ListedLetter> => {
  const letter = (await listPayment()).find((item) => item.taskId === taskId);
  if (!letter) {
    throw new Error(`no dead letter of task ${taskId}`);
  }
  return letter;
};

beforeAll(async () => {
  environment = await startTestEnvironment();
  pipeline = new Pipeline(environment);
});

afterAll(async () => {
  await environment?.stop();
});

describe('ekbar dlq list and show', () => {
  it('lists a message SQS moved without a reason', async () => {
    const { taskId } = await deadLetteredBySqs();

    const letter = await letterOf(taskId);

    expect(letter.reason).toBe(NO_REASON_RECORDED);
    expect(letter.attempts).toBeUndefined();
    await runEkbarInProcess([
      'dlq',
      'discard',
      'payment',
      letter.messageId,
      '--reason',
      'cleanup',
      '--operator',
      'ops-a',
    ]);
  });

  it('prints a table for people across classes', async () => {
    const { taskId } = await deadLetteredBySqs();

    const run = await runEkbar(['dlq', 'list']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^CLASS\s+MESSAGE ID\s+TASK ID\s+FAILED AT\s+ATTEMPTS\s+REASON/,
    );
    expect(run.stdout).toContain(taskId);
    expect(run.stdout).toContain('exceeded maxReceiveCount');
    const letter = await letterOf(taskId);
    await runEkbarInProcess([
      'dlq',
      'discard',
      'payment',
      letter.messageId,
      '--reason',
      'cleanup',
      '--operator',
      'ops-a',
    ]);
  });

  it('shows the consumer reason of a conflicting payment', async () => {
    const { taskId } = await deadLetteredByConsumer();
    const letter = await letterOf(taskId);

    const run = await runEkbar(['dlq', 'show', 'payment', letter.messageId]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Reason:\s+payment id .* different intent/);
    expect(run.stdout).toMatch(/Attempts:\s+1/);
    expect(run.stdout).toMatch(/Task status:\s+dead-lettered/);
    expect(run.stdout).toContain(`"taskId": "${taskId}"`);
    await runEkbarInProcess([
      'dlq',
      'discard',
      'payment',
      letter.messageId,
      '--reason',
      'cleanup',
      '--operator',
      'ops-a',
    ]);
  });

  it('advises discarding a body that is not a task', async () => {
    await new SQSClient({}).send(
      new SendMessageCommand({
        QueueUrl: environment.queuesOf('payment').queueUrl,
        MessageBody: 'not a task',
        MessageGroupId: 'poison',
        MessageDeduplicationId: randomUUID(),
      }),
    );
    await pipeline.deliver('payment');
    const letter = (await listPayment()).find((item) =>
      item.reason.includes('not valid JSON'),
    );

    const run = await runEkbarInProcess([
      'dlq',
      'show',
      'payment',
      letter?.messageId ?? 'missing',
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Advice:\s+the body is not a task envelope/);
    const cleanUp = await runEkbarInProcess([
      'dlq',
      'discard',
      'payment',
      letter?.messageId ?? 'missing',
      '--reason',
      'test clean-up',
      '--operator',
      'ops-a',
    ]);
    expect(cleanUp.status).toBe(0);
  });

  it('reports a message id that is not there', async () => {
    const run = await runEkbarInProcess([
      'dlq',
      'show',
      'payment',
      'no-such-id',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'message "no-such-id" is not in the payment dead-letter queue',
    );
  });
});

describe('ekbar dlq discard', () => {
  it('deletes a dead letter and audits it', async () => {
    const { payment, taskId } = await deadLetteredByConsumer();
    const letter = await letterOf(taskId);
    const before = await overrideCount('payment', 'discard');

    const run = await runEkbar([
      'dlq',
      'discard',
      'payment',
      letter.messageId,
      '--reason',
      'client resubmits with a new payment id',
      '--operator',
      'ops-b',
      '--json',
    ]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).messages).toEqual([
      {
        messageId: letter.messageId,
        taskId,
        entity: `payment#${payment.paymentId}`,
      },
    ]);
    expect((await listPayment()).some((item) => item.taskId === taskId)).toBe(
      false,
    );
    const audit = await auditEntriesOf(`payment#${payment.paymentId}`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'discard',
      operator: 'ops-b',
      reason: 'client resubmits with a new payment id',
      messageId: letter.messageId,
    });
    expect(await overrideCount('payment', 'discard')).toBe(before + 1);
    const status = await statusOf(taskId);
    expect(status.status).toBe('discarded');
    expect(status.reason).toBe(
      'discarded by ops-b: client resubmits with a new payment id',
    );
  });
});

describe('ekbar dlq redrive', () => {
  it('applies a task that never ran', async () => {
    const { payment, taskId } = await deadLetteredBySqs();
    const letter = await letterOf(taskId);

    const run = await runEkbar([
      'dlq',
      'redrive',
      'payment',
      letter.messageId,
      '--reason',
      'consumer fixed',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'Redrove 1 message(s) of class payment as ops-a.',
    );
    const { event, response } = await pipeline.deliver('payment');
    expect(event.Records).toHaveLength(1);
    expect(JSON.parse(event.Records[0]?.body ?? '{}').taskId).toBe(taskId);
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
    expect((await statusOf(taskId)).status).toBe('completed');
  });

  it('reopens a task the consumer dead-lettered', async () => {
    const { taskId } = await deadLetteredByConsumer();
    const letter = await letterOf(taskId);

    const run = await runEkbar([
      'dlq',
      'redrive',
      'payment',
      letter.messageId,
      '--reason',
      'check the conflict again',
      '--operator',
      'ops-a',
    ]);
    const reopened = await statusOf(taskId);
    await pipeline.deliver('payment');
    const again = await statusOf(taskId);

    expect(run.status).toBe(0);
    expect(reopened.status).toBe('accepted');
    expect(reopened.reason).toBeUndefined();
    expect(again.status).toBe('dead-lettered');
    expect(again.reason).toContain('different intent');
    // Later tests count the whole dead-letter queue.
    const cleanUp = await runEkbarInProcess([
      'dlq',
      'discard',
      'payment',
      (await letterOf(taskId)).messageId,
      '--reason',
      'test clean-up',
      '--operator',
      'ops-a',
    ]);
    expect(cleanUp.status).toBe(0);
  });

  it('skips an already completed task', async () => {
    const payment = newPayment();
    const { taskId } = await pipeline.submit(
      'payment',
      payment,
      `k-${payment.paymentId}`,
    );
    const { event } = await pipeline.deliver('payment');
    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
    // A second copy of the message that SQS then dead-letters, as after a
    // consumer that applied the effect but kept timing out.
    const original = event.Records[0];
    await new SQSClient({}).send(
      new SendMessageCommand({
        QueueUrl: environment.queuesOf('payment').queueUrl,
        MessageBody: original?.body,
        MessageGroupId: original?.attributes.MessageGroupId,
        MessageDeduplicationId: randomUUID(),
      }),
    );
    await exhaustReceives();
    const letter = await letterOf(taskId);
    const before = await overrideCount('payment', 'redrive');

    const run = await runEkbar([
      'dlq',
      'redrive',
      'payment',
      letter.messageId,
      '--reason',
      'retry after timeout',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(0);
    const { event: redriven, response } = await pipeline.deliver('payment');
    expect(redriven.Records).toHaveLength(1);
    expect(redriven.Records[0]?.body).toBe(original?.body);
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
    const audit = await auditEntriesOf(`payment#${payment.paymentId}`);
    expect(audit.map((entry) => entry.action)).toEqual(['redrive']);
    expect(await overrideCount('payment', 'redrive')).toBe(before + 1);
  });

  it('redrives every message with --all', async () => {
    const first = await deadLetteredBySqs();
    const second = await deadLetteredBySqs();

    const run = await runEkbarInProcess([
      'dlq',
      'redrive',
      'payment',
      '--all',
      '--reason',
      'outage over',
      '--operator',
      'ops-a',
      '--json',
    ]);

    expect(run.status).toBe(0);
    const taskIds = JSON.parse(run.stdout).messages.map(
      (m: { taskId: string }) => m.taskId,
    );
    expect(taskIds.sort()).toEqual([first.taskId, second.taskId].sort());
    await pipeline.deliver('payment');
    expect(await ledgerEntriesOf(first.payment.paymentId)).toHaveLength(2);
    expect(await ledgerEntriesOf(second.payment.paymentId)).toHaveLength(2);
  });

  it('reports nothing to redrive in an empty queue', async () => {
    const run = await runEkbar([
      'dlq',
      'redrive',
      'notification',
      '--all',
      '--reason',
      'r',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'the notification dead-letter queue is empty; nothing to redrive',
    );
  });

  it('changes nothing when a message id is unknown', async () => {
    const { taskId } = await deadLetteredBySqs();
    const letter = await letterOf(taskId);

    const run = await runEkbarInProcess([
      'dlq',
      'redrive',
      'payment',
      letter.messageId,
      'no-such-id',
      '--reason',
      'r',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      '"no-such-id" is not in the payment dead-letter queue; nothing was changed',
    );
    expect((await listPayment()).some((item) => item.taskId === taskId)).toBe(
      true,
    );
  });

  it('requires message ids or --all', async () => {
    const run = await runEkbarInProcess([
      'dlq',
      'redrive',
      'payment',
      '--reason',
      'r',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('name the messages to redrive, or pass --all');
  });
});
