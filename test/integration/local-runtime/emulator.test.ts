import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type Emulator, startEmulator } from '../../../scripts/local/emulator';

const WRAPPER = join(
  __dirname,
  '..',
  '..',
  '..',
  'scripts',
  'local',
  'moto-server.py',
);

let emulator: Emulator;
let client: DynamoDBClient;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: 'ap-south-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'plain',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: 'ranged',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const itemsOf = async (table: string): Promise<string[]> => {
  const { Items = [] } = await client.send(
    new ScanCommand({ TableName: table }),
  );
  return Items.map((item) =>
    [item.pk?.S, item.sk?.S, item.v?.N].filter(Boolean).join('/'),
  ).sort();
};

describe('emulator wrapper', () => {
  it('undoes every write of a cancelled transaction', async () => {
    await client.send(
      new PutItemCommand({
        TableName: 'plain',
        Item: { pk: { S: 'kept' }, v: { N: '1' } },
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: 'ranged',
        Item: { pk: { S: 'p' }, sk: { S: '1' }, v: { N: '1' } },
      }),
    );

    const cancelled = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'plain', Item: { pk: { S: 'added' } } } },
          {
            Update: {
              TableName: 'plain',
              Key: { pk: { S: 'kept' } },
              UpdateExpression: 'SET v = :v',
              ExpressionAttributeValues: { ':v': { N: '2' } },
            },
          },
          {
            Delete: {
              TableName: 'ranged',
              Key: { pk: { S: 'p' }, sk: { S: '1' } },
            },
          },
          {
            Put: {
              TableName: 'ranged',
              Item: { pk: { S: 'p' }, sk: { S: '2' } },
            },
          },
          {
            ConditionCheck: {
              TableName: 'plain',
              Key: { pk: { S: 'absent' } },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );

    await expect(cancelled).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(await itemsOf('plain')).toEqual(['kept/1']);
    expect(await itemsOf('ranged')).toEqual(['p/1/1']);
  });

  it('commits a transaction whose conditions hold', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'plain', Item: { pk: { S: 'second' } } } },
          {
            Update: {
              TableName: 'plain',
              Key: { pk: { S: 'kept' } },
              UpdateExpression: 'SET v = :v',
              ExpressionAttributeValues: { ':v': { N: '3' } },
            },
          },
        ],
      }),
    );

    expect(await itemsOf('plain')).toEqual(['kept/3', 'second']);
  });

  // moto 5.2.1 deep-copies every table a transaction touches, so each
  // transaction took longer as the tables grew. Counting the copies keeps
  // the check independent of the machine's speed.
  it('copies no whole table in a transaction', () => {
    const script = `
import copy, importlib.util, json, sys
copies = 0
real_deepcopy = copy.deepcopy
def counting_deepcopy(value, memo=None):
    global copies
    from moto.dynamodb.models.table import Table
    if isinstance(value, Table):
        copies += 1
    return real_deepcopy(value, memo)
copy.deepcopy = counting_deepcopy
spec = importlib.util.spec_from_file_location("wrapper", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
from moto.dynamodb.models import dynamodb_backends
backend = dynamodb_backends["123456789012"]["ap-south-1"]
backend.create_table("t", schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    throughput=None, attr=[{"AttributeName": "pk", "AttributeType": "S"}],
    global_indexes=None, indexes=None, streams=None, billing_mode="PAY_PER_REQUEST",
    sse_specification=None, tags=None, deletion_protection_enabled=False,
    warm_throughput=None)
for i in range(20):
    backend.transact_write_items([{"Put": {"TableName": "t", "Item": {"pk": {"S": f"k{i}"}}}}])
print(json.dumps({"copies": copies, "items": len(backend.tables["t"].items)}))
`;
    const output = execFileSync('python3', ['-c', script, WRAPPER], {
      encoding: 'utf8',
    });

    expect(JSON.parse(output)).toEqual({ copies: 0, items: 20 });
  });
});

describe('startEmulator with AWS_ENDPOINT_URL', () => {
  const saved = process.env.AWS_ENDPOINT_URL;

  afterEach(() => {
    if (saved === undefined) {
      delete process.env.AWS_ENDPOINT_URL;
    } else {
      process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  it('uses an emulator that responds', async () => {
    process.env.AWS_ENDPOINT_URL = emulator.endpoint;

    const external = await startEmulator();

    expect(external).toMatchObject({
      endpoint: emulator.endpoint,
      owned: false,
    });
  });

  it('names the variable when nothing responds', async () => {
    // A port that was free a moment ago and has no listener now.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;

    await expect(startEmulator()).rejects.toThrow(
      `AWS_ENDPOINT_URL is http://127.0.0.1:${port}, but no server responds there`,
    );
    await expect(startEmulator()).rejects.toThrow('unset AWS_ENDPOINT_URL');
  });
});
