import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleDirOf, FUNCTION_ENTRIES } from './bundle';

const USAGE =
  'usage: npm run invoke -- FUNCTION EVENT_FILE [TIMEOUT_SECONDS]\n' +
  `  FUNCTION is one of: ${Object.keys(FUNCTION_ENTRIES).join(', ')}\n` +
  '  EVENT_FILE is a JSON event, for example events/sqs/payment.json\n';

/**
 * Invokes one bundled function once with an event from a file and prints
 * its result as JSON. It runs the same bundle that `cdk deploy` ships, with
 * a Lambda-like context, against whatever AWS_ENDPOINT_URL names.
 */
const main = async (): Promise<void> => {
  const [functionName, eventFile, timeoutArg] = process.argv.slice(2);
  if (!functionName || !eventFile || !(functionName in FUNCTION_ENTRIES)) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const timeoutMs = Number(timeoutArg ?? '10') * 1000;
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  const bundle = pathToFileURL(join(bundleDirOf(functionName), 'index.mjs'));
  const { handler } = await import(bundle.href);

  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-south-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const result = await handler(event, context);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`invocation failed: ${String(error)}\n`);
  process.exit(1);
});
