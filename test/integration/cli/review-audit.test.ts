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
  queryPartition,
  runEkbar,
  runEkbarInProcess,
} from './harness';

/** Above the default review limit of ₹1,00,000 (in paise). */
const HELD_AMOUNT = 10_000_001;

let environment: TestEnvironment;
let pipeline: Pipeline;

/** Submits a payment above the review limit and lets the consumer hold it. */
const heldPayment = async () => {
  const payment = newPayment({ amount: HELD_AMOUNT });
  const { taskId } = await pipeline.submit(
    'payment',
    payment,
    `k-${payment.paymentId}`,
  );
  await pipeline.deliver('payment');
  return { payment, taskId };
};

const claimOf = async (paymentId: string) =>
  (await queryPartition('ekbar-ledger', 'pk', `PAYMENT#${paymentId}`)).find(
    (item) => item.sk === 'CLAIM',
  );

const taskOf = async (taskId: string) =>
  JSON.parse((await runEkbarInProcess(['status', taskId, '--json'])).stdout);

beforeAll(async () => {
  environment = await startTestEnvironment();
  pipeline = new Pipeline(environment);
});

afterAll(async () => {
  await environment?.stop();
});

describe('ekbar review list', () => {
  it('lists a held payment', async () => {
    const { payment, taskId } = await heldPayment();

    const run = await runEkbar(['review', 'list', '--json']);

    expect(run.status).toBe(0);
    const listed = JSON.parse(run.stdout).payments.find(
      (item: { paymentId: string }) => item.paymentId === payment.paymentId,
    );
    expect(listed).toMatchObject({
      taskId,
      amount: HELD_AMOUNT,
      currency: 'INR',
      status: 'held-for-review',
    });
  });

  it('prints amounts in rupees for people', async () => {
    const { payment } = await heldPayment();

    const run = await runEkbarInProcess(['review', 'list']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^PAYMENT ID\s+TASK ID\s+ORDER ID\s+AMOUNT/);
    expect(run.stdout).toContain(payment.paymentId);
    expect(run.stdout).toContain('₹1,00,000.01');
  });
});

describe('ekbar review approve', () => {
  it('applies a held payment once', async () => {
    const { payment, taskId } = await heldPayment();
    expect(await ledgerEntriesOf(payment.paymentId)).toEqual([]);

    const run = await runEkbar([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'payer confirmed by phone',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `Approved payment ${payment.paymentId} as ops-a`,
    );
    const entries = await ledgerEntriesOf(payment.paymentId);
    expect(entries.map((entry) => entry.side).sort()).toEqual([
      'CREDIT',
      'DEBIT',
    ]);
    expect(entries.every((entry) => entry.amount === HELD_AMOUNT)).toBe(true);
    expect((await claimOf(payment.paymentId))?.status).toBe('captured');
    const task = await taskOf(taskId);
    expect(task.status).toBe('completed');
    expect(task.result.outcome).toBe('captured');
    const audit = await auditEntriesOf(`payment#${payment.paymentId}`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'approve',
      operator: 'ops-a',
      reason: 'payer confirmed by phone',
      taskId,
    });
  });

  it('applies nothing more when approved twice', async () => {
    const { payment } = await heldPayment();
    const first = await runEkbar([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'ok',
      '--operator',
      'ops-a',
    ]);
    expect(first.status).toBe(0);
    const before = await overrideCount('payment', 'approve');

    const second = await runEkbar([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'ok again',
      '--operator',
      'ops-b',
    ]);

    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `payment "${payment.paymentId}" is already decided (status captured), so nothing was written`,
    );
    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
    expect(await auditEntriesOf(`payment#${payment.paymentId}`)).toHaveLength(
      1,
    );
    expect(await overrideCount('payment', 'approve')).toBe(before);
  });

  it('defaults the operator to the AWS identity', async () => {
    const { payment } = await heldPayment();
    const named = process.env.EKBAR_OPERATOR;
    delete process.env.EKBAR_OPERATOR;

    const run = await runEkbarInProcess([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'ok',
      '--json',
    ]);
    if (named !== undefined) {
      process.env.EKBAR_OPERATOR = named;
    }

    expect(run.status).toBe(0);
    // moto returns this identity for its default credentials.
    const operator = 'arn:aws:sts::123456789012:user/moto';
    expect(JSON.parse(run.stdout).operator).toBe(operator);
    const audit = await auditEntriesOf(`payment#${payment.paymentId}`);
    expect(audit[0]?.operator).toBe(operator);
  });

  it('counts approvals in the override metric', async () => {
    const before = await overrideCount('payment', 'approve');
    const { payment } = await heldPayment();

    await runEkbarInProcess([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'ok',
      '--operator',
      'ops-a',
    ]);

    expect(await overrideCount('payment', 'approve')).toBe(before + 1);
  });

  it('reports an unknown payment', async () => {
    const run = await runEkbarInProcess([
      'review',
      'approve',
      'pay-missing',
      '--reason',
      'ok',
      '--operator',
      'ops-a',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'payment "pay-missing" was not found in the ledger',
    );
  });
});

describe('ekbar review reject', () => {
  it('completes the task as rejected', async () => {
    const { payment, taskId } = await heldPayment();

    const run = await runEkbar([
      'review',
      'reject',
      payment.paymentId,
      '--reason',
      'payer denies the order',
      '--operator',
      'ops-a',
      '--json',
    ]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      decision: 'reject',
      status: 'rejected',
      entries: [],
    });
    expect(await ledgerEntriesOf(payment.paymentId)).toEqual([]);
    expect((await claimOf(payment.paymentId))?.status).toBe('rejected');
    const task = await taskOf(taskId);
    expect(task.status).toBe('completed');
    expect(task.result.outcome).toBe('rejected');
    expect(await overrideCount('payment', 'reject')).toBe(1);
  });

  it('rejects a decision on an approved payment', async () => {
    const { payment } = await heldPayment();
    await runEkbarInProcess([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'ok',
      '--operator',
      'ops-a',
    ]);

    const run = await runEkbarInProcess([
      'review',
      'reject',
      payment.paymentId,
      '--reason',
      'late',
      '--operator',
      'ops-b',
    ]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is already decided (status captured)');
    expect(await ledgerEntriesOf(payment.paymentId)).toHaveLength(2);
  });
});

describe('ekbar audit', () => {
  it('prints the trail of a payment for people', async () => {
    const { payment, taskId } = await heldPayment();
    await runEkbarInProcess([
      'review',
      'approve',
      payment.paymentId,
      '--reason',
      'payer confirmed',
      '--operator',
      'ops-a',
    ]);

    const run = await runEkbar(['audit', `payment#${payment.paymentId}`]);

    expect(run.status).toBe(0);
    const [header, , row] = run.stdout.split('\n');
    expect(header).toMatch(/^TIME\s+ACTION\s+BY\s+TASK ID\s+REASON$/);
    expect(row).toMatch(
      new RegExp(`^\\S+\\s+approve\\s+ops-a\\s+${taskId}\\s+payer confirmed$`),
    );
  });

  it('prints health record entries as JSON', async () => {
    await pipeline.submit(
      'health-record',
      {
        recordId: 'rec-cli-1',
        patientId: 'pat-1',
        recordType: 'prescription',
        authoredBy: 'dr-1',
        content: { drug: 'paracetamol' },
      },
      'k-rec-cli-1',
    );
    await pipeline.deliver('health-record');

    const run = await runEkbarInProcess([
      'audit',
      'health-record#rec-cli-1',
      '--json',
    ]);

    expect(run.status).toBe(0);
    const { entries } = JSON.parse(run.stdout);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'created', actor: 'dr-1' });
  });

  it('says when an entity has no entries', async () => {
    const run = await runEkbarInProcess(['audit', 'payment#never-seen']);

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('No audit entries for payment#never-seen.\n');
  });

  it('rejects an entity without a type', async () => {
    const run = await runEkbarInProcess(['audit', 'pay_1001']);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      '"pay_1001" is not an audit entity; write TYPE#ID',
    );
  });

  it('reports a usage error only as JSON with --json', async () => {
    const run = await runEkbarInProcess(['audit', 'pay_1001', '--json']);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe('');
    const { error } = JSON.parse(run.stdout);
    expect(error.code).toBe('invalid-usage');
    expect(error.message).toContain(
      '"pay_1001" is not an audit entity; write TYPE#ID',
    );
  });

  it('rejects an entity of an unknown type', async () => {
    const run = await runEkbarInProcess(['audit', 'foo#bar']);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'audit entity type "foo" in "foo#bar" does not exist',
    );
    expect(run.stderr).toContain(
      'use one of: payment, health-record, notification, analytics, task, dead-letter',
    );
  });

  it.each(['task#tsk_never_seen', 'dead-letter#never-seen'])(
    'reads the entity %s',
    async (entity) => {
      const run = await runEkbarInProcess(['audit', entity]);

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`No audit entries for ${entity}.\n`);
    },
  );
});
