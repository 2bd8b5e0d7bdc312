import type { TaskClassDefinition } from './task-classes';

/**
 * Names and settings of every AWS resource, shared by the CDK stack and the
 * local runtime so that both create the same thing.
 */
export const RESOURCE_PREFIX = 'ekbar';

/** AWS advises a source queue visibility timeout of six function timeouts. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Seconds that a dead letter is kept (the SQS maximum, 14 days). */
export const DLQ_RETENTION_SECONDS = 14 * 86_400;

/** Seconds that a task message is kept in its queue (4 days). */
export const QUEUE_RETENTION_SECONDS = 4 * 86_400;

export interface QueueSettings {
  readonly queueName: string;
  readonly dlqName: string;
  readonly visibilityTimeoutSeconds: number;
  /**
   * Receives before SQS moves a message to the DLQ: the retries + 1
   * attempts and one more receive. An attempt that stops without a result
   * (a crash, a timeout) leaves the message in the queue. The extra receive
   * lets the consumer run it once more or dead-letter it with a reason.
   */
  readonly maxReceiveCount: number;
  readonly batchSize: number;
}

export const queueSettingsOf = (
  definition: TaskClassDefinition<unknown>,
): QueueSettings => ({
  queueName: `${RESOURCE_PREFIX}-${definition.name}.fifo`,
  dlqName: `${RESOURCE_PREFIX}-${definition.name}-dlq.fifo`,
  visibilityTimeoutSeconds:
    definition.consumer.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
  maxReceiveCount: definition.retries + 2,
  batchSize: definition.consumer.batchSize,
});

/** Attributes of a task queue as SQS CreateQueue takes them. */
export const queueAttributesOf = (
  settings: QueueSettings,
  dlqArn: string,
): Record<string, string> => ({
  FifoQueue: 'true',
  ContentBasedDeduplication: 'true',
  VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
  MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
  RedrivePolicy: JSON.stringify({
    deadLetterTargetArn: dlqArn,
    maxReceiveCount: settings.maxReceiveCount,
  }),
});

/** Attributes of a dead-letter queue as SQS CreateQueue takes them. */
export const dlqAttributes = (): Record<string, string> => ({
  FifoQueue: 'true',
  ContentBasedDeduplication: 'true',
  MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
});

export interface TableSettings {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding the expiry in epoch seconds. */
  readonly timeToLiveAttribute?: string;
}

/** Every DynamoDB table; all keys are strings. */
export const TABLES = {
  /** Task status records and API idempotency records. */
  tasks: {
    tableName: `${RESOURCE_PREFIX}-tasks`,
    partitionKey: 'pk',
    timeToLiveAttribute: 'ttl',
  },
  /** Powertools idempotency records of the consumers. */
  idempotency: {
    tableName: `${RESOURCE_PREFIX}-idempotency`,
    partitionKey: 'id',
    timeToLiveAttribute: 'expiration',
  },
  /** Double-entry ledger postings and payments held for review. */
  ledger: {
    tableName: `${RESOURCE_PREFIX}-ledger`,
    partitionKey: 'pk',
    sortKey: 'sk',
  },
  /** Health records. */
  healthRecords: {
    tableName: `${RESOURCE_PREFIX}-health-records`,
    partitionKey: 'pk',
    sortKey: 'sk',
  },
  /** Append-only audit trail, one partition per entity. */
  audit: {
    tableName: `${RESOURCE_PREFIX}-audit`,
    partitionKey: 'entity',
    sortKey: 'sk',
  },
  /** Analytics counters and the markers of events already counted. */
  analytics: {
    tableName: `${RESOURCE_PREFIX}-analytics`,
    partitionKey: 'pk',
    timeToLiveAttribute: 'ttl',
  },
} as const satisfies Record<string, TableSettings>;

export type TableId = keyof typeof TABLES;

/** Environment variables that the functions read. */
export const ENV = {
  tasksTable: 'EKBAR_TASKS_TABLE',
  idempotencyTable: 'EKBAR_IDEMPOTENCY_TABLE',
  ledgerTable: 'EKBAR_LEDGER_TABLE',
  healthRecordsTable: 'EKBAR_HEALTH_RECORDS_TABLE',
  auditTable: 'EKBAR_AUDIT_TABLE',
  analyticsTable: 'EKBAR_ANALYTICS_TABLE',
  /** The consumer's own queue URL. */
  queueUrl: 'EKBAR_QUEUE_URL',
  /** The consumer's own dead-letter queue URL. */
  dlqUrl: 'EKBAR_DLQ_URL',
  /** Minor units above which a payment is held for review. */
  paymentReviewLimit: 'EKBAR_PAYMENT_REVIEW_LIMIT_MINOR',
  notificationProviderUrl: 'EKBAR_NOTIFICATION_PROVIDER_URL',
  /** Set to `off` only by the chaos control run. */
  protection: 'EKBAR_PROTECTION',
} as const;

/** Environment variable holding the URL of a class's queue, for ingest. */
export const queueUrlEnvOf = (className: string): string =>
  `EKBAR_QUEUE_URL_${className.toUpperCase().replace(/-/g, '_')}`;

/**
 * Timeout of the ingest function in seconds, below the 29 s default
 * integration timeout of API Gateway.
 */
export const INGEST_TIMEOUT_SECONDS = 10;

/** Memory of the ingest function in MiB. */
export const INGEST_MEMORY_SIZE_MB = 256;

/** Service name in every function's logs and metrics. */
export const FUNCTION_SERVICE_NAME = 'ekbar';

/** Name of the bundle and Lambda entry of each function. */
export const INGEST_FUNCTION = 'ingest';
export const consumerFunctionOf = (className: string): string =>
  `consumer-${className}`;

/** Default payment review limit: ₹1,00,000 in paise. */
export const DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR = 10_000_000;

/** Maximum request body size in bytes accepted by the API. */
export const MAX_BODY_BYTES = 256 * 1024;
