import {
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  consumerIdempotencyIdOf,
  idempotencyKeyPrefixOf,
} from '../../functions/shared/task-store';
import { lambdaContext } from '../support/api-event';

describe('consumerIdempotencyIdOf', () => {
  it('matches the id Powertools writes', async () => {
    const client = new DynamoDBClient({ region: 'ap-south-1' });
    const mock = mockClient(client);
    mock.on(PutItemCommand).resolves({});
    mock.on(UpdateItemCommand).resolves({});
    const businessKey =
      'payment_98345_capture_0123456789abcdef0123456789abcdef';
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'envelope.businessKey',
    });
    config.registerLambdaContext(lambdaContext('consumer-payment'));
    const once = makeIdempotent(async (_task: unknown) => ({ ok: true }), {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: 'ekbar-idempotency',
        awsSdkV3Client: client,
      }),
      config,
      keyPrefix: idempotencyKeyPrefixOf('payment'),
    });

    await once({ envelope: { businessKey } });

    const put = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.Item?.id?.S).toBe(
      consumerIdempotencyIdOf('payment', businessKey),
    );
  });
});
