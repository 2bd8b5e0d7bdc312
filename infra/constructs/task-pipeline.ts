import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  consumerFunctionOf,
  DLQ_RETENTION_SECONDS,
  QUEUE_RETENTION_SECONDS,
  type QueueSettings,
  queueSettingsOf,
  type TableId,
} from '../../functions/shared/resources';
import type { TaskClassDefinition } from '../../functions/shared/task-classes';
import { consumerEnvironment } from '../../scripts/local/provision';
import { CONSUMER_TABLE_ACCESS, TABLE_ACTIONS } from './table-access';
import { TaskFunction } from './task-function';

/** SQS FIFO event sources take 1 to 10 records per batch. */
const MAX_FIFO_BATCH_SIZE = 10;

/** Props of a {@link TaskPipeline}. */
export interface TaskPipelineProps {
  /** The task class whose queue and consumer this pipeline creates. */
  readonly definition: TaskClassDefinition<unknown>;
  /** Every table, keyed as in TABLES, of which the consumer uses some. */
  readonly tables: Readonly<Record<TableId, dynamodb.ITable>>;
  /**
   * Variables that only this class's consumer reads, for example the
   * payment review limit.
   * @default - none
   */
  readonly classEnvironment?: Readonly<Record<string, string>>;
  /**
   * How long the consumer's log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The path of one task class, made of a FIFO queue, its FIFO dead-letter
 * queue and the consumer function that the queue invokes with partial batch failure
 * reporting. Names and settings come from `queueSettingsOf`, the same as
 * the local runtime uses.
 */
export class TaskPipeline extends Construct {
  readonly definition: TaskClassDefinition<unknown>;
  readonly settings: QueueSettings;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly consumer: TaskFunction;

  constructor(scope: Construct, id: string, props: TaskPipelineProps) {
    super(scope, id);

    const { definition } = props;
    const tableAccess = CONSUMER_TABLE_ACCESS[definition.name];
    if (!tableAccess) {
      throw new Error(
        `task class "${definition.name}" has no entry in CONSUMER_TABLE_ACCESS; declare the tables its consumer uses`,
      );
    }
    const settings = queueSettingsOf(definition);
    if (
      !Number.isInteger(settings.batchSize) ||
      settings.batchSize < 1 ||
      settings.batchSize > MAX_FIFO_BATCH_SIZE
    ) {
      throw new Error(
        `batch size of task class "${definition.name}" is ${settings.batchSize}; SQS FIFO event sources take 1 to ${MAX_FIFO_BATCH_SIZE}`,
      );
    }
    this.definition = definition;
    this.settings = settings;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: settings.dlqName,
      fifo: true,
      contentBasedDeduplication: true,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: settings.queueName,
      fifo: true,
      contentBasedDeduplication: true,
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(QUEUE_RETENTION_SECONDS),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: settings.maxReceiveCount,
      },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.consumer = new TaskFunction(this, 'Consumer', {
      bundleName: consumerFunctionOf(definition.name),
      timeoutSeconds: definition.consumer.timeoutSeconds,
      memorySizeMb: definition.consumer.memorySizeMb,
      environment: {
        ...consumerEnvironment({
          className: definition.name,
          queueUrl: this.queue.queueUrl,
          dlqUrl: this.deadLetterQueue.queueUrl,
        }),
        ...props.classEnvironment,
      },
      logRetention: props.logRetention,
    });
    this.grantConsumerAccess(props.tables, tableAccess);
  }

  private grantConsumerAccess(
    tables: Readonly<Record<TableId, dynamodb.ITable>>,
    tableAccess: (typeof CONSUMER_TABLE_ACCESS)[string],
  ): void {
    const consumer = this.consumer.lambdaFunction;

    // The event source grants receive, delete and visibility changes on
    // the queue. The consumer changes visibility itself to apply the
    // class's backoff, so that grant is stated here too. It sends to the
    // DLQ, with the reason, and never to its own queue.
    consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: this.settings.batchSize,
        reportBatchItemFailures: true,
      }),
    );
    this.queue.grant(consumer, 'sqs:ChangeMessageVisibility');
    this.deadLetterQueue.grant(consumer, 'sqs:SendMessage');

    for (const [tableId, access] of Object.entries(tableAccess)) {
      tables[tableId as TableId].grant(consumer, ...TABLE_ACTIONS[access]);
    }
  }
}
