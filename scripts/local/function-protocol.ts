/**
 * Messages between a function process (the parent side) and its function
 * host child over the Node IPC channel.
 */

/** Lambda context fields sent with each invocation. */
export interface InvocationContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  /** Memory size in MiB, as a string like Lambda's context. */
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** An error as the Lambda runtime reports it. */
export interface SerializedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly invocationId: string;
  readonly event: unknown;
  readonly context: InvocationContext;
}

export type ParentMessage = InvokeMessage;

export interface ReadyMessage {
  readonly type: 'ready';
}

export interface InitErrorMessage {
  readonly type: 'init-error';
  readonly error: SerializedError;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly invocationId: string;
  /** The handler's result serialized with JSON.stringify, as Lambda does. */
  readonly payload: string;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly invocationId: string;
  readonly error: SerializedError;
}

export type ChildMessage =
  | ReadyMessage
  | InitErrorMessage
  | ResultMessage
  | ErrorMessage;

/** Converts any thrown value into the shape the Lambda runtime reports. */
export const serializeError = (error: unknown): SerializedError => {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      stackTrace: (error.stack ?? '').split('\n').slice(1),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), stackTrace: [] };
};
