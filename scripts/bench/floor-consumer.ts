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
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { taskEnvelopeSchema } from '../../functions/shared/envelope';
import { safeParse } from '../../functions/shared/schema-messages';
import { paymentSchema } from '../../functions/shared/task-classes/payment';

/**
 * The design's floor for bundle size and load time: the minimal consumer
 * (minimal-consumer.ts) plus the libraries that the design cannot drop.
 * Powertools Logger writes the structured logs, Powertools Metrics the
 * operators' metrics, the SQS client sets a retry's backoff and moves a
 * task to its dead-letter queue with a reason, and the zod/mini schemas
 * check each payload again. Nothing of ekbar's own logic is here. It is
 * bundled with the functions' esbuild options and never deployed.
 */
const logger = new Logger();
const metrics = new Metrics({ namespace: 'floor' });
const sqs = new SQSClient({});
const client = new DynamoDBClient({});

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency',
  awsSdkV3Client: client,
});

const config = new IdempotencyConfig({ eventKeyJmesPath: 'body' });

const processRecord = makeIdempotent(
  async (record: SQSRecord) => {
    const envelope = safeParse(taskEnvelopeSchema, JSON.parse(record.body));
    const task = envelope.success
      ? safeParse(paymentSchema, envelope.data.payload)
      : undefined;
    if (!task?.success) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: process.env.DLQ_URL,
          MessageBody: record.body,
          MessageGroupId: record.attributes.MessageGroupId,
        }),
      );
      return { deadLettered: record.messageId };
    }
    if (task.data.amount < 0) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: process.env.QUEUE_URL,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 5,
        }),
      );
    }
    metrics.addMetric('processed', MetricUnit.Count, 1);
    logger.info('processed', { messageId: record.messageId });
    return { processed: record.messageId };
  },
  { persistenceStore, config },
);

const processor = new SqsFifoPartialProcessorAsync();

export const handler = async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  try {
    return await processPartialResponse(event, processRecord, processor, {
      context,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
};
