import {
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import {
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * The minimal consumer (minimal-consumer.ts) plus Powertools Logger and
 * nothing else. The quality bar requires structured logs from Powertools
 * Logger in every function, so this bundle shows what that one library
 * costs in bytes and load time before any other part of the design. It is
 * bundled with the functions' esbuild options and never deployed.
 */
const logger = new Logger();
const client = new DynamoDBClient({});

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency',
  awsSdkV3Client: client,
});

const config = new IdempotencyConfig({ eventKeyJmesPath: 'body' });

const processRecord = makeIdempotent(
  async (record: SQSRecord) => {
    logger.info('processed', { messageId: record.messageId });
    return { processed: record.messageId };
  },
  { persistenceStore, config },
);

const processor = new SqsFifoPartialProcessorAsync();

export const handler = async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  return processPartialResponse(event, processRecord, processor, {
    context,
  });
};
