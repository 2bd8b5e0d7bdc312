import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  type AttributeValue,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { apiEvent, lambdaContext } from '../../support/api-event';
import {
  type TestEnvironment,
  useConsumerEnvironment,
} from '../../support/emulator';
import {
  deleteMessage,
  queueArnOf,
  receiveAll,
  toSqsEvent,
} from '../../support/sqs';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** What a CLI run printed and how it exited. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/ekbar.cjs ARGS` as a child process with this worker's
 * environment, which points the AWS SDK at the test's emulator.
 */
export const runEkbar = (
  args: readonly string[],
  extraEnvironment: Record<string, string | undefined> = {},
): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'ekbar.cjs'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...extraEnvironment },
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        resolve({
          status: typeof code === 'number' ? code : -1,
          stdout,
          stderr,
        });
      },
    );
  });

/**
 * Runs the CLI in this process, for the checks that need no child
 * process. Call it only after the emulator environment is set, because
 * the CLI's modules read table names when they load.
 */
export const runEkbarInProcess = async (
  args: readonly string[],
): Promise<CliRun> => {
  const { runCli } =
    require('../../../cli/main') as typeof import('../../../cli/main');
  let stdout = '';
  let stderr = '';
  const status = await runCli(['node', 'ekbar', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTty: false,
  });
  return { status, stdout, stderr };
};

type IngestHandler = typeof import('../../../functions/ingest/handler').handler;

/** A consumer handler as the event source mapping calls it. */
export type ConsumerHandler = (
  event: SQSEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<SQSBatchResponse>;

/**
 * The real ingest and consumer handlers, run in-process against the
 * test's emulator to create the state the CLI works on.
 */
export class Pipeline {
  readonly #environment: TestEnvironment;
  readonly #ingest: IngestHandler;
  readonly #consumers = new Map<string, ConsumerHandler>();

  constructor(environment: TestEnvironment) {
    this.#environment = environment;
    useConsumerEnvironment(environment, 'payment');
    this.#ingest = (
      require('../../../functions/ingest/handler') as typeof import('../../../functions/ingest/handler')
    ).handler;
  }

  /** Submits a task through the ingest handler and returns its response. */
  async submit(
    className: string,
    body: unknown,
    idempotencyKey: string,
  ): Promise<{ statusCode: number; taskId: string }> {
    const result = await this.#ingest(
      apiEvent({
        method: 'POST',
        target: className,
        body,
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
      lambdaContext('ingest'),
    );
    return {
      statusCode: result.statusCode,
      taskId: JSON.parse(result.body).taskId,
    };
  }

  /** Returns the consumer handler of a class, loading it once. */
  consumer(className: string): ConsumerHandler {
    let handler = this.#consumers.get(className);
    if (!handler) {
      handler = (
        require(`../../../functions/consumers/${className}`) as {
          handler: ConsumerHandler;
        }
      ).handler;
      this.#consumers.set(className, handler);
    }
    return handler;
  }

  /**
   * Receives the class's queue once and runs its consumer on the batch,
   * then deletes what the batch did not report as failed, like the event
   * source mapping.
   */
  async deliver(
    className: string,
  ): Promise<{ event: SQSEvent; response: SQSBatchResponse }> {
    useConsumerEnvironment(this.#environment, className);
    const { queueUrl } = this.#environment.queuesOf(className);
    const messages = await receiveAll(queueUrl, { waitSeconds: 1 });
    const event = toSqsEvent(messages, queueArnOf(queueUrl));
    const response = await this.consumer(className)(
      event,
      lambdaContext(`consumer-${className}`, 5_000),
    );
    const failed = new Set(
      response.batchItemFailures.map((failure) => failure.itemIdentifier),
    );
    for (const message of messages) {
      if (!failed.has(message.MessageId as string)) {
        await deleteMessage(queueUrl, message);
      }
    }
    return { event, response };
  }
}

let sequence = 0;

/** Returns a payment task body with a fresh payment id. */
export const newPayment = (overrides: Record<string, unknown> = {}) => {
  sequence += 1;
  const id = `${process.pid}-${Date.now()}-${sequence}`;
  return {
    paymentId: `pay-cli-${id}`,
    orderId: `ord-${id}`,
    payerAccount: 'acct-payer-1',
    merchantAccount: 'acct-merchant-1',
    amount: 125_000,
    currency: 'INR',
    ...overrides,
  };
};

// Clients are made on use, after the test has pointed the SDK at its emulator.
const dynamodb = (): DynamoDBClient => new DynamoDBClient({});

/** Returns the items of one partition of a table. */
export const queryPartition = async (
  tableName: string,
  keyName: string,
  keyValue: string,
): Promise<Record<string, unknown>[]> => {
  const { Items } = await dynamodb().send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#key = :value',
      ExpressionAttributeNames: { '#key': keyName },
      ExpressionAttributeValues: { ':value': { S: keyValue } },
    }),
  );
  return (Items ?? []).map((item) =>
    unmarshall(item as Record<string, AttributeValue>),
  );
};

/** Returns the ledger entries (not the claim) of a payment. */
export const ledgerEntriesOf = async (paymentId: string) =>
  (await queryPartition('ekbar-ledger', 'pk', `PAYMENT#${paymentId}`)).filter(
    (item) => String(item.sk).startsWith('ENTRY#'),
  );

/** Returns the audit entries of an entity, oldest first. */
export const auditEntriesOf = (entity: string) =>
  queryPartition('ekbar-audit', 'entity', entity);

/** Returns the sum of ManualOverrides for a class and action over the last hour. */
export const overrideCount = async (
  taskClass: string,
  action: string,
): Promise<number> => {
  const now = Date.now();
  const { MetricDataResults } = await new CloudWatchClient({}).send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 3_600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [
        {
          Id: 'overrides',
          MetricStat: {
            Metric: {
              Namespace: 'ekbar',
              MetricName: 'ManualOverrides',
              Dimensions: [
                { Name: 'TaskClass', Value: taskClass },
                { Name: 'Action', Value: action },
              ],
            },
            Period: 3_660,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
};
