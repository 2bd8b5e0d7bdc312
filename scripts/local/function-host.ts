/**
 * Child process entry that runs one Lambda function bundle, started by
 * FunctionProcess. Usage: `node --require tsx/cjs function-host.ts
 * BUNDLE_FILE HANDLER_EXPORT`. It imports the bundle (the Lambda init
 * phase), sends `ready`, then runs one invocation per `invoke` message.
 */
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import {
  type ChildMessage,
  type InvocationContext,
  type InvokeMessage,
  type ParentMessage,
  serializeError,
} from './function-protocol';

type Handler = (
  event: unknown,
  context: Context,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const send = (message: ChildMessage, onSent?: () => void): void => {
  process.send?.(message, undefined, undefined, onSent);
};

const lambdaContextOf = (fields: InvocationContext): Context => ({
  functionName: fields.functionName,
  functionVersion: fields.functionVersion,
  invokedFunctionArn: fields.invokedFunctionArn,
  memoryLimitInMB: fields.memoryLimitInMB,
  awsRequestId: fields.awsRequestId,
  logGroupName: fields.logGroupName,
  logStreamName: fields.logStreamName,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, fields.deadlineMs - Date.now()),
  done: () => {
    throw new Error('context.done is not supported; return a promise');
  },
  fail: () => {
    throw new Error('context.fail is not supported; throw an error');
  },
  succeed: () => {
    throw new Error('context.succeed is not supported; return a value');
  },
});

/**
 * Calls the handler and settles with its result. A handler that returns
 * no promise but declares a third parameter is a callback handler, so the
 * result comes from the callback.
 */
const callHandler = (
  handler: Handler,
  event: unknown,
  context: Context,
): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown): void => {
      if (error !== undefined && error !== null) {
        reject(error);
      } else {
        resolve(result);
      }
    };
    const returned = handler(event, context, callback);
    const isPromise =
      typeof (returned as Promise<unknown> | undefined)?.then === 'function';
    if (isPromise) {
      (returned as Promise<unknown>).then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned);
    }
  });

const invoke = async (handler: Handler, message: InvokeMessage) => {
  try {
    const result = await callHandler(
      handler,
      message.event,
      lambdaContextOf(message.context),
    );
    send({
      type: 'result',
      invocationId: message.invocationId,
      payload: JSON.stringify(result ?? null),
    });
  } catch (error) {
    send({
      type: 'error',
      invocationId: message.invocationId,
      error: serializeError(error),
    });
  }
};

const loadHandler = async (
  bundleFile: string,
  exportName: string,
): Promise<Handler> => {
  const module = await import(pathToFileURL(bundleFile).href);
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw new TypeError(
      `${bundleFile} exports no function named "${exportName}"; export the Lambda handler under that name`,
    );
  }
  return handler as Handler;
};

const main = async (): Promise<void> => {
  const [bundleFile, exportName = 'handler'] = process.argv.slice(2);
  if (!bundleFile || !process.send) {
    process.stderr.write(
      'function-host must be started by FunctionProcess with an IPC channel and a bundle file argument\n',
    );
    process.exit(2);
  }

  // A closed IPC channel means the runtime has exited, so the host exits
  // too instead of lingering as an orphan.
  process.on('disconnect', () => process.exit(0));

  let handler: Handler;
  try {
    handler = await loadHandler(bundleFile, exportName);
  } catch (error) {
    send({ type: 'init-error', error: serializeError(error) }, () =>
      process.exit(1),
    );
    return;
  }

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'invoke') {
      void invoke(handler, message);
    }
  });
  send({ type: 'ready' });
};

void main();
