import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * Builds a Lambda context for one invocation outside the local runtime's
 * function hosts (the invoke command, tests), with a time budget in
 * milliseconds that getRemainingTimeInMillis counts down.
 */
export const lambdaContext = (
  functionName: string,
  timeoutMs = 10_000,
): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-south-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
