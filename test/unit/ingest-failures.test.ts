import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/ingest/handler';
import { apiEvent, lambdaContext } from '../support/api-event';

const documents = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const body = {
  paymentId: 'pay-1',
  orderId: 'ord-1',
  payerAccount: 'acct-1',
  merchantAccount: 'acct-2',
  amount: 100,
  currency: 'INR',
};

const post = () =>
  handler(
    apiEvent({
      method: 'POST',
      target: 'payment',
      body,
      headers: { 'Idempotency-Key': 'k-1' },
    }),
    lambdaContext('ingest'),
  );

beforeAll(() => {
  process.env.EKBAR_TASKS_TABLE = 'ekbar-tasks';
  process.env.EKBAR_QUEUE_URL_PAYMENT =
    'http://127.0.0.1:1/queue/ekbar-payment.fifo';
});

beforeEach(() => {
  documents.reset();
  sqs.reset();
});

describe('ingest handler failures', () => {
  it('answers 503 and frees the key when SQS fails', async () => {
    documents.on(TransactWriteCommand).resolves({});
    sqs.on(SendMessageCommand).rejects(new Error('connection reset'));

    const result = await post();

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    const release = documents.commandCalls(DeleteCommand)[0]?.args[0].input;
    expect(release?.Key).toEqual({
      pk: expect.stringMatching(/^KEY#caller-a#/),
    });
  });

  it('answers 409 when transactions conflict', async () => {
    documents.onAnyCommand().rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'TransactionConflict' },
        ],
      }),
    );

    const result = await post();

    expect(result.statusCode).toBe(409);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  const unreachable = Object.assign(new Error('read ECONNRESET'), {
    code: 'ECONNRESET',
  });
  const timedOut = Object.assign(new Error('socket timed out'), {
    name: 'TimeoutError',
  });
  const throttled = Object.assign(new Error('rate exceeded'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $retryable: { throttling: true },
  });
  const serverFault = Object.assign(new Error('internal failure'), {
    name: 'InternalServerError',
    $fault: 'server',
  });

  it.each([
    ['unreachable', unreachable],
    ['timed out', timedOut],
    ['throttling', throttled],
    ['failing', serverFault],
  ])('answers 503 when DynamoDB is %s', async (_, error) => {
    documents.onAnyCommand().rejects(error);

    const result = await post();

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body).detail).toContain('same Idempotency-Key');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('answers 500 without internals for an unexpected error', async () => {
    documents.onAnyCommand().rejects(new Error('secret internal detail'));

    const result = await post();

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret internal detail');
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
  });
});
