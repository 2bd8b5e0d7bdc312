import {
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import {
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * The comparison point for bundle size and load time: the smallest SQS
 * FIFO consumer that Powertools makes idempotent, as its documentation
 * shows one. It keeps a DynamoDB idempotency record per message body and
 * does nothing else. It is bundled with the functions' esbuild options
 * and never deployed.
 */
const client = new DynamoDBClient({});

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency',
  awsSdkV3Client: client,
});

const config = new IdempotencyConfig({ eventKeyJmesPath: 'body' });

const processRecord = makeIdempotent(
  async (record: SQSRecord) => ({ processed: record.messageId }),
  { persistenceStore, config },
);

const processor = new SqsFifoPartialProcessorAsync();

export const handler = async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  return processPartialResponse(event, processRecord, processor, {
    context,
  });
};
