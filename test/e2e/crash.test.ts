import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../scripts/local/start';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/runtime-process';

/**
 * Kills payment consumers with SIGKILL while they hold a batch, as a power
 * cut would, and checks from the ledger that every payment still takes
 * effect exactly once after SQS redelivers it (after the 30 s visibility
 * timeout of the payment queue).
 */
let runtime: LocalRuntime;
let api: ApiClient;
const PAYMENTS = 12;

beforeAll(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  runtime = await startLocalRuntime({
    port: 0,
    bundle: false,
    bundleRoot: join(__dirname, '..', '..', 'dist', 'functions'),
    logger: new Logger({ logLevel: 'SILENT' }),
    functionOutput: () => undefined,
  });
  api = new ApiClient(runtime.apiUrl, runtime.apiKey);
});

afterAll(async () => {
  await runtime?.stop();
});

const entriesOf = async (paymentId: string): Promise<number> => {
  const { Items } = await new DynamoDBClient({
    endpoint: runtime.endpoint,
    region: 'ap-south-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  }).send(
    new QueryCommand({
      TableName: 'ekbar-ledger',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: {
        ':pk': { S: `PAYMENT#${paymentId}` },
        ':entry': { S: 'ENTRY#' },
      },
    }),
  );
  return Items?.length ?? 0;
};

describe('consumer killed mid-payment', () => {
  it('applies every payment exactly once after redelivery', async () => {
    const consumers = runtime.functions.get('consumer-payment');
    expect(consumers).toBeDefined();
    let kills = 0;
    const killer = setInterval(() => {
      const busy = consumers?.busyInstances[0];
      if (busy && kills < 2 && busy.kill('SIGKILL')) {
        kills += 1;
      }
    }, 5);

    const taskIds: string[] = [];
    for (let index = 0; index < PAYMENTS; index += 1) {
      const accepted = await api.post(
        'payment',
        {
          paymentId: `pay-crash-${process.pid}-${index}`,
          orderId: `ord-${index}`,
          payerAccount: 'acct-payer-1',
          merchantAccount: 'acct-merchant-1',
          amount: 1_000 + index,
          currency: 'INR',
        },
        { 'Idempotency-Key': `crash-${index}` },
      );
      expect(accepted.status).toBe(202);
      taskIds.push(accepted.body.taskId as string);
    }
    await eventually(
      async () => (kills >= 1 ? true : undefined),
      20_000,
      'a kill',
    );
    clearInterval(killer);

    for (const taskId of taskIds) {
      await eventually(
        async () =>
          (await api.get(taskId)).body.status === 'completed'
            ? true
            : undefined,
        90_000,
        `task ${taskId} to complete`,
      );
    }
    for (let index = 0; index < PAYMENTS; index += 1) {
      expect(await entriesOf(`pay-crash-${process.pid}-${index}`)).toBe(2);
    }
    expect(kills).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
