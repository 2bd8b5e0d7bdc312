import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  INGEST_FUNCTION,
  INGEST_MEMORY_SIZE_MB,
  INGEST_TIMEOUT_SECONDS,
  type TableId,
} from '../../functions/shared/resources';
import { ingestEnvironment } from '../../scripts/local/provision';
import { INGEST_TASKS_ACTIONS, TABLE_ACTIONS } from './table-access';
import { TaskFunction } from './task-function';
import type { TaskPipeline } from './task-pipeline';

/** Props of an {@link IngestFunction}. */
export interface IngestFunctionProps {
  /** Every table, keyed as in TABLES. */
  readonly tables: Readonly<Record<TableId, dynamodb.ITable>>;
  /** One pipeline per task class, whose queue ingest sends tasks to. */
  readonly pipelines: readonly TaskPipeline[];
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The function behind the API. It validates a task, claims its API
 * idempotency key, records it and sends it to its class's queue. It reads
 * the consumers' idempotency table to report tasks in progress.
 */
export class IngestFunction extends TaskFunction {
  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    if (props.pipelines.length === 0) {
      throw new Error(
        'pipelines is empty; the ingest function needs at least one task class queue',
      );
    }
    const environment = ingestEnvironment({
      queues: props.pipelines.map((pipeline) => ({
        className: pipeline.definition.name,
        queueUrl: pipeline.queue.queueUrl,
        dlqUrl: pipeline.deadLetterQueue.queueUrl,
      })),
    });

    super(scope, id, {
      bundleName: INGEST_FUNCTION,
      timeoutSeconds: INGEST_TIMEOUT_SECONDS,
      memorySizeMb: INGEST_MEMORY_SIZE_MB,
      environment,
      logRetention: props.logRetention,
    });

    props.tables.tasks.grant(this.lambdaFunction, ...INGEST_TASKS_ACTIONS);
    props.tables.idempotency.grant(this.lambdaFunction, ...TABLE_ACTIONS.read);
    for (const pipeline of props.pipelines) {
      pipeline.queue.grant(this.lambdaFunction, 'sqs:SendMessage');
    }
  }
}
