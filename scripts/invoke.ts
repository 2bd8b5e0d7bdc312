import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  consumerFunctionOf,
  ENV,
  INGEST_FUNCTION,
  INGEST_TIMEOUT_SECONDS,
  queueSettingsOf,
  queueUrlEnvOf,
} from '../functions/shared/resources';
import { TASK_CLASSES } from '../functions/shared/task-classes';
import { bundleDirOf, FUNCTION_ENTRIES } from './bundle';
import { lambdaContext } from './local/lambda-context';
import { commonFunctionEnvironment } from './local/provision';

const USAGE =
  'usage: npm run invoke -- FUNCTION EVENT_FILE [TIMEOUT_SECONDS]\n' +
  `  FUNCTION is one of: ${Object.keys(FUNCTION_ENTRIES).join(', ')}\n` +
  '  EVENT_FILE is a JSON event, for example events/sqs/payment.json\n' +
  "  TIMEOUT_SECONDS is the context's time budget; by default the function's timeout in the stack\n";

/**
 * Invokes one bundled function once with an event from a file and prints
 * its result as JSON. It runs the same bundle that `cdk deploy` ships, with
 * a Lambda-like context, against whatever AWS_ENDPOINT_URL names.
 */
/**
 * Sets every variable the function reads and the caller left unset: table
 * names as the stack creates them, and queue URLs looked up by name on the
 * emulator that AWS_ENDPOINT_URL names (so `npm start` or `provision` must
 * have created the queues).
 */
const useDefaultEnvironment = async (functionName: string): Promise<void> => {
  process.env.AWS_REGION ??= 'ap-south-1';
  const defaults: Record<string, string> = { ...commonFunctionEnvironment() };
  const sqs = new SQSClient({});
  const urlOf = async (queueName: string) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName })))
      .QueueUrl as string;

  for (const definition of TASK_CLASSES) {
    const settings = queueSettingsOf(definition);
    if (functionName === INGEST_FUNCTION) {
      defaults[queueUrlEnvOf(definition.name)] = await urlOf(
        settings.queueName,
      );
    } else if (functionName === consumerFunctionOf(definition.name)) {
      defaults[ENV.queueUrl] = await urlOf(settings.queueName);
      defaults[ENV.dlqUrl] = await urlOf(settings.dlqName);
    }
  }
  for (const [name, value] of Object.entries(defaults)) {
    process.env[name] ??= value;
  }
};

/** Returns a function's timeout as the stack sets it. */
const stackTimeoutSecondsOf = (functionName: string): number =>
  TASK_CLASSES.find(
    (definition) => consumerFunctionOf(definition.name) === functionName,
  )?.consumer.timeoutSeconds ?? INGEST_TIMEOUT_SECONDS;

const main = async (): Promise<void> => {
  const [functionName, eventFile, timeoutArg] = process.argv.slice(2);
  if (functionName && !(functionName in FUNCTION_ENTRIES)) {
    process.stderr.write(`unknown function "${functionName}"\n${USAGE}`);
    process.exit(2);
  }
  if (!functionName || !eventFile) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventFile, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read the event file ${eventFile} (${(error as Error).message}); give a JSON event such as events/sqs/payment.json`,
    );
  }
  // Lambda runs Node.js 22; the SDK's notice about Node.js 20 does not apply.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const timeoutSeconds =
    timeoutArg === undefined
      ? stackTimeoutSecondsOf(functionName)
      : Number(timeoutArg);
  if (!(timeoutSeconds > 0)) {
    process.stderr.write(
      `TIMEOUT_SECONDS is "${timeoutArg}"; give a positive number of seconds\n${USAGE}`,
    );
    process.exit(2);
  }
  const timeoutMs = timeoutSeconds * 1000;
  await useDefaultEnvironment(functionName);
  const bundle = pathToFileURL(join(bundleDirOf(functionName), 'index.mjs'));
  const { handler } = await import(bundle.href);

  const context = lambdaContext(functionName, timeoutMs);
  const result = await handler(event, context);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`invocation failed: ${String(error)}\n`);
  process.exit(1);
});
