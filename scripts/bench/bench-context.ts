import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import type { TaskClassDefinition } from '../../functions/shared/task-classes';
import { apiEvent, lambdaContext } from '../../test/support/api-event';
import type { CannedAws } from './canned-aws';
import type { ConsumerHandler, EventSource } from './event-source';
import type { RequestLog } from './request-log';
import { taskBodyOf } from './tasks';

/** The ingest handler as API Gateway calls it. */
export type IngestHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** Handlers, probes and the queue that every phase of a worker uses. */
export interface BenchContext {
  readonly className: string;
  readonly definition: TaskClassDefinition<unknown>;
  /** Keeps task ids of this worker apart from any other run. */
  readonly runId: string;
  readonly ingest: IngestHandler;
  readonly consumer: ConsumerHandler;
  readonly log: RequestLog;
  readonly canned: CannedAws;
  readonly eventSource: EventSource;
  readonly queueUrl: string;
  readonly ingestContext: Context;
  readonly consumerContext: Context;
}

/** Builds the API Gateway event that submits task number `sequence`. */
export const submitEventOf = (
  context: BenchContext,
  sequence: number,
): APIGatewayProxyEvent =>
  apiEvent({
    method: 'POST',
    target: context.className,
    body: taskBodyOf(context.className, context.runId, sequence),
    headers: { 'Idempotency-Key': `bench-${context.runId}-${sequence}` },
  });

/** Returns Lambda contexts whose time budget outlasts any benchmark. */
export const benchContextsOf = (className: string) => ({
  ingestContext: lambdaContext('ingest', 3_600_000),
  consumerContext: lambdaContext(`consumer-${className}`, 3_600_000),
});

/** Throws unless ingest accepted the task, as new or as a replay. */
export const expectAccepted = (
  result: APIGatewayProxyResult,
  replayed: boolean,
): string => {
  const wasReplayed = result.headers?.['Idempotent-Replayed'] === 'true';
  if (result.statusCode !== 202 || wasReplayed !== replayed) {
    throw new Error(
      `ingest returned HTTP ${result.statusCode}${wasReplayed ? ' (replayed)' : ''} where the benchmark expected 202${replayed ? ' (replayed)' : ''}: ${result.body}`,
    );
  }
  return JSON.parse(result.body).taskId as string;
};
