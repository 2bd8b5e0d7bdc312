import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  consumerFunctionOf,
  dlqAttributes,
  ENV,
  queueAttributesOf,
  queueSettingsOf,
  queueUrlEnvOf,
  TABLES,
  type TableSettings,
} from '../../functions/shared/resources';
import { TASK_CLASSES } from '../../functions/shared/task-classes';

/** URLs of one class's queue and dead-letter queue. */
export interface ClassQueues {
  readonly className: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** Resources that provisioning created, enough to configure every function. */
export interface Provisioned {
  readonly queues: readonly ClassQueues[];
}

const createTable = async (
  client: DynamoDBClient,
  table: TableSettings,
): Promise<void> => {
  const keySchema: KeySchemaElement[] = [
    { AttributeName: table.partitionKey, KeyType: 'HASH' },
  ];
  const attributes: AttributeDefinition[] = [
    { AttributeName: table.partitionKey, AttributeType: 'S' },
  ];
  if (table.sortKey) {
    keySchema.push({ AttributeName: table.sortKey, KeyType: 'RANGE' });
    attributes.push({ AttributeName: table.sortKey, AttributeType: 'S' });
  }

  try {
    await client.send(
      new CreateTableCommand({
        TableName: table.tableName,
        KeySchema: keySchema,
        AttributeDefinitions: attributes,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      throw error;
    }
  }

  if (table.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table.tableName,
        TimeToLiveSpecification: {
          AttributeName: table.timeToLiveAttribute,
          Enabled: true,
        },
      }),
    );
  }
};

const createClassQueues = async (
  client: SQSClient,
  definition: (typeof TASK_CLASSES)[number],
): Promise<ClassQueues> => {
  const settings = queueSettingsOf(definition);
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: settings.dlqName,
      Attributes: dlqAttributes(),
    }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      AttributeNames: ['QueueArn'],
    }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: settings.queueName,
      Attributes: queueAttributesOf(settings, Attributes?.QueueArn as string),
    }),
  );
  return {
    className: definition.name,
    queueUrl: queue.QueueUrl as string,
    dlqUrl,
  };
};

/**
 * Creates every queue and table with the attributes the CDK stack gives
 * them. Running it again against the same emulator changes nothing.
 */
export const provision = async (
  clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient } = {},
): Promise<Provisioned> => {
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({});
  const sqs = clients.sqs ?? new SQSClient({});

  await Promise.all(
    Object.values(TABLES).map((table) => createTable(dynamodb, table)),
  );
  const queues = await Promise.all(
    TASK_CLASSES.map((definition) => createClassQueues(sqs, definition)),
  );
  return { queues };
};

/** Environment shared by every function. */
export const commonFunctionEnvironment = (): Record<string, string> => ({
  [ENV.tasksTable]: TABLES.tasks.tableName,
  [ENV.idempotencyTable]: TABLES.idempotency.tableName,
  [ENV.ledgerTable]: TABLES.ledger.tableName,
  [ENV.healthRecordsTable]: TABLES.healthRecords.tableName,
  [ENV.auditTable]: TABLES.audit.tableName,
  [ENV.analyticsTable]: TABLES.analytics.tableName,
});

/** Environment of the ingest function: tables plus every queue URL. */
export const ingestEnvironment = (
  provisioned: Provisioned,
): Record<string, string> => ({
  ...commonFunctionEnvironment(),
  ...Object.fromEntries(
    provisioned.queues.map((queues) => [
      queueUrlEnvOf(queues.className),
      queues.queueUrl,
    ]),
  ),
});

/** Environment of one consumer: tables plus its own queue and DLQ. */
export const consumerEnvironment = (
  queues: ClassQueues,
): Record<string, string> => ({
  ...commonFunctionEnvironment(),
  [ENV.queueUrl]: queues.queueUrl,
  [ENV.dlqUrl]: queues.dlqUrl,
});

export { consumerFunctionOf };
