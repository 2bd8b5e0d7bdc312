import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ApiClient } from '../support/api-client';
import {
  eventually,
  type RuntimeProcess,
  startRuntimeProcess,
} from '../support/runtime-process';

/**
 * End-to-end checks that read ground truth from the local runtime's
 * emulator: ledger items, dead-letter queues and the functions' logs. The
 * mock provider rejects every request here, so notifications always fail.
 */
let runtime: RuntimeProcess;
let api: ApiClient;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const clientConfig = () => ({
  endpoint: runtime.endpoint,
  region: 'ap-south-1',
  credentials,
});
const queueUrl = (name: string) => `${runtime.endpoint}/123456789012/${name}`;

const ledgerEntries = async (paymentId: string) => {
  const { Items } = await new DynamoDBClient(clientConfig()).send(
    new QueryCommand({
      TableName: 'ekbar-ledger',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: {
        ':pk': { S: `PAYMENT#${paymentId}` },
        ':entry': { S: 'ENTRY#' },
      },
    }),
  );
  return Items ?? [];
};

/** Reads a DLQ without hiding its messages, until one matches. */
const findDeadLetter = (dlqName: string, matches: (m: Message) => boolean) =>
  eventually(
    async () => {
      const { Messages } = await new SQSClient(clientConfig()).send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl(dlqName),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages?.find(matches);
    },
    60_000,
    `a dead letter in ${dlqName}`,
  );

beforeAll(async () => {
  runtime = await startRuntimeProcess({ EKBAR_PROVIDER_FAILURE_RATE: '1' });
  api = new ApiClient(runtime.apiUrl, runtime.apiKey);
});

afterAll(async () => {
  await runtime?.stop();
});

describe('local pipeline end to end', () => {
  it('posts one debit and one credit however often a payment is sent', async () => {
    const payment = {
      paymentId: `pay-e2e-${process.pid}`,
      orderId: 'ord-e2e',
      payerAccount: 'acct-payer-1',
      merchantAccount: 'acct-merchant-1',
      amount: 77_700,
      currency: 'INR',
    };

    const burst = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post('payment', payment, { 'Idempotency-Key': 'e2e-key-1' }),
      ),
    );
    const other = await api.post('payment', payment, {
      'Idempotency-Key': 'e2e-key-2',
    });
    const rejected = await api.post(
      'payment',
      { ...payment, amount: 1 },
      { 'Idempotency-Key': 'e2e-key-1' },
    );

    expect(burst.every((r) => r.status === 202 || r.status === 409)).toBe(true);
    expect(other.status).toBe(202);
    expect(rejected.status).toBe(422);
    const taskId = other.body.taskId as string;
    await eventually(
      async () =>
        (await api.get(taskId)).body.status === 'completed' ? true : undefined,
      60_000,
      'the payment to complete',
    );
    const entries = await ledgerEntries(payment.paymentId);
    expect(entries.map((e) => e.side?.S).sort()).toEqual(['CREDIT', 'DEBIT']);
  });

  it('dead-letters an always-failing notification after 4 attempts with backoff', async () => {
    const accepted = await api.post('notification', {
      notificationId: `ntf-e2e-${process.pid}`,
      recipient: 'asha@example.com',
      channel: 'email',
      template: 'receipt',
      data: {},
    });
    const taskId = accepted.body.taskId as string;

    const letter = await findDeadLetter(
      'ekbar-notification-dlq.fifo',
      (m) => m.MessageAttributes?.['ekbar-task-id']?.StringValue === taskId,
    );

    expect(letter.MessageAttributes?.['ekbar-attempts']?.StringValue).toBe('4');
    expect(letter.MessageAttributes?.['ekbar-reason']?.StringValue).toContain(
      'failed after 4 attempts',
    );
    const retries = runtime.lines.filter(
      (line) => line.message === 'retry scheduled' && line.taskId === taskId,
    );
    expect(retries.map((line) => line.attempt)).toEqual([1, 2, 3]);
    expect(retries.map((line) => line.delaySeconds)).toEqual([2, 4, 8]);
    const status = await api.get(taskId);
    expect(status.body.status).toBe('dead-lettered');
  });

  it('keeps personal and health data out of every log line', async () => {
    const record = await api.post(
      'health-record',
      {
        recordId: `rec-e2e-${process.pid}`,
        patientId: 'patient-e2e-secret',
        recordType: 'lab-result',
        authoredBy: 'dr-e2e',
        content: { hba1c: 'secret-lab-value' },
      },
      { 'Idempotency-Key': 'e2e-health-1' },
    );
    await eventually(
      async () =>
        (await api.get(record.body.taskId as string)).body.status ===
        'completed'
          ? true
          : undefined,
      60_000,
      'the health record to be stored',
    );

    const logs = runtime.output();

    expect(logs).toContain(record.body.taskId as string);
    for (const secret of [
      'acct-payer-1',
      'acct-merchant-1',
      'asha@example.com',
      'patient-e2e-secret',
      'secret-lab-value',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('dead-letters a non-JSON message sent straight to a queue', async () => {
    await new SQSClient(clientConfig()).send(
      new SendMessageCommand({
        QueueUrl: queueUrl('ekbar-analytics.fifo'),
        MessageBody: 'this is not JSON',
        MessageGroupId: 'raw-sender',
        MessageDeduplicationId: `raw-${process.pid}`,
      }),
    );

    const letter = await findDeadLetter(
      'ekbar-analytics-dlq.fifo',
      (m) => m.Body === 'this is not JSON',
    );

    expect(letter.MessageAttributes?.['ekbar-reason']?.StringValue).toBe(
      'message body is not valid JSON',
    );
  });
});
