import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Handler bundles written by the tests, so that the local runtime is tested
 * without the project's own functions. They live under dist/ so that a
 * bundle importing the AWS SDK resolves it from the project's node_modules.
 */
const FIXTURE_PARENT = join(__dirname, '..', '..', '..', 'dist');

/** Logger that drops the runtime's own lines during tests. */
export const silentLogger = new Logger({
  serviceName: 'ekbar-local-test',
  logLevel: 'SILENT',
});

/** A folder of throwaway bundles, one subfolder per function. */
export class FixtureBundles {
  readonly root: string;

  constructor() {
    mkdirSync(FIXTURE_PARENT, { recursive: true });
    this.root = mkdtempSync(join(FIXTURE_PARENT, 'local-runtime-test-'));
  }

  /** Writes NAME/index.mjs and returns the folder, the bundle directory. */
  write(functionName: string, source: string): string {
    const dir = join(this.root, functionName);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.mjs'), source);
    return dir;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Handler whose behaviour the event's `action` selects. */
export const BEHAVIOUR_HANDLER = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const handler = async (event, context) => {
  switch (event.action) {
    case 'context':
      return {
        functionName: context.functionName,
        awsRequestId: context.awsRequestId,
        invokedFunctionArn: context.invokedFunctionArn,
        memoryLimitInMB: context.memoryLimitInMB,
        remainingMs: context.getRemainingTimeInMillis(),
        callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
        env: {
          functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
          timeout: process.env.AWS_LAMBDA_FUNCTION_TIMEOUT,
          endpoint: process.env.AWS_ENDPOINT_URL,
          region: process.env.AWS_REGION,
          accessKeyId: process.env.AWS_ACCESS_KEY_ID,
          service: process.env.POWERTOOLS_SERVICE_NAME,
          custom: process.env.CUSTOM_VARIABLE,
          runnerOnly: process.env.EKBAR_RUNNER_ONLY ?? null,
        },
        cwd: process.cwd(),
      };
    case 'echo':
      return event.value;
    case 'sleep':
      await sleep(event.ms);
      return { slept: event.ms, pid: process.pid };
    case 'throw': {
      const error = new Error(event.message);
      error.name = 'TaskRejectedError';
      throw error;
    }
    case 'log':
      for (const line of event.lines) console.log(line);
      console.error(event.stderr);
      return 'logged';
    case 'exit':
      process.exit(event.code);
  }
  throw new Error('unknown action ' + event.action);
};
`;

/** Callback-style handler that passes its result to the callback after a timer. */
export const CALLBACK_HANDLER = `
export const handler = (event, context, callback) => {
  setTimeout(() => callback(null, { viaCallback: event.value }), 10);
};
`;

/** Bundle that throws while it is imported. */
export const INIT_ERROR_HANDLER = `
throw new Error('EXAMPLE_TABLE is not set');
`;

/**
 * Proxy integration that returns the event it received, the result given
 * base64-encoded in the `x-test-result` header, or throws when the request
 * has an `x-test-throw` header.
 */
export const API_ECHO_HANDLER = `
const header = (event, name) => {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
};
export const handler = async (event) => {
  const custom = header(event, 'x-test-result');
  if (custom) return JSON.parse(Buffer.from(custom, 'base64').toString('utf8'));
  if (header(event, 'x-test-throw')) throw new Error('integration failed on purpose');
  if (header(event, 'x-test-sleep-ms')) {
    await new Promise((resolve) => setTimeout(resolve, Number(header(event, 'x-test-sleep-ms'))));
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  };
};
`;

/**
 * SQS consumer that treats each record body as `{"action": ...}`: `ok`
 * succeeds, `fail` is reported in batchItemFailures, `throw` fails the
 * invocation, `unknown-id` reports an id not in the batch and `sleep`
 * waits `ms` milliseconds first.
 */
export const SQS_CONSUMER_HANDLER = `
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const { action, ms } = JSON.parse(record.body);
    if (action === 'sleep') await new Promise((resolve) => setTimeout(resolve, ms));
    if (action === 'throw') throw new Error('batch failed on purpose');
    if (action === 'fail') batchItemFailures.push({ itemIdentifier: record.messageId });
    if (action === 'unknown-id') batchItemFailures.push({ itemIdentifier: 'not-in-this-batch' });
  }
  return { batchItemFailures };
};
`;

/**
 * Ingest stand-in for the whole runtime: POST /v1/tasks/{class} sends the
 * body to that class's queue, with the Idempotency-Key as deduplication id.
 */
export const RUNTIME_INGEST_HANDLER = `
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  const className = event.pathParameters.classOrTaskId;
  const queueUrl = process.env['EKBAR_QUEUE_URL_' + className.toUpperCase().replace(/-/g, '_')];
  if (!queueUrl) return { statusCode: 404, body: JSON.stringify({ message: 'no queue' }) };
  const key = Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: event.body,
    MessageGroupId: 'fixture',
    MessageDeduplicationId: key,
  }));
  return { statusCode: 202, body: JSON.stringify({ messageId: sent.MessageId }) };
};
`;

/**
 * Consumer stand-in for the whole runtime: appends what it saw to
 * records.jsonl in its bundle folder and posts notifications to the
 * provider named in EKBAR_NOTIFICATION_PROVIDER_URL.
 */
export const RUNTIME_CONSUMER_HANDLER = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
export const handler = async (event, context) => {
  for (const record of event.Records) {
    const providerUrl = process.env.EKBAR_NOTIFICATION_PROVIDER_URL;
    if (providerUrl) {
      const response = await fetch(providerUrl + '/messages', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': record.attributes.MessageDeduplicationId,
        },
        body: record.body,
      });
      if (response.status >= 500) throw new Error('provider failed');
    }
    appendFileSync(join(process.env.LAMBDA_TASK_ROOT, 'records.jsonl'), JSON.stringify({
      functionName: context.functionName,
      body: record.body,
      reviewLimit: process.env.EKBAR_PAYMENT_REVIEW_LIMIT_MINOR ?? null,
      protection: process.env.EKBAR_PROTECTION ?? null,
    }) + '\\n');
  }
  return { batchItemFailures: [] };
};
`;

/** A response read in full. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends one HTTP request with node:http, which keeps header names in the
 * case given and sends an array value as repeated header lines.
 */
export const send = (
  url: string,
  options: {
    method?: string;
    headers?: OutgoingHttpHeaders;
    body?: string | Buffer;
  } = {},
): Promise<HttpResult> =>
  new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });

/** Polls `check` every 100 ms until it returns a value or the time is up. */
export const waitFor = async <T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  description: string,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
};
