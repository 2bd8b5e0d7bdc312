import type { SerializedError } from './function-protocol';

/** Base class of every failed invocation of a local function. */
export class FunctionInvocationError extends Error {
  constructor(
    message: string,
    readonly functionName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FunctionInvocationError';
  }
}

/** The handler threw or rejected; the error is reported as Lambda does. */
export class FunctionHandlerError extends FunctionInvocationError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];

  constructor(functionName: string, error: SerializedError) {
    super(
      `${functionName} failed with ${error.errorType}: ${error.errorMessage}`,
      functionName,
    );
    this.name = 'FunctionHandlerError';
    this.errorType = error.errorType;
    this.errorMessage = error.errorMessage;
    this.stackTrace = error.stackTrace;
  }
}

/** Importing the bundle failed or took longer than the init limit. */
export class FunctionInitError extends FunctionInvocationError {
  constructor(functionName: string, detail: string) {
    super(`${functionName} failed to initialize: ${detail}`, functionName);
    this.name = 'FunctionInitError';
  }
}

/** The invocation ran past the function timeout and its process was killed. */
export class FunctionTimeoutError extends FunctionInvocationError {
  constructor(
    functionName: string,
    readonly timeoutSeconds: number,
  ) {
    super(
      `${functionName} timed out after ${timeoutSeconds.toFixed(2)} seconds; its process was killed`,
      functionName,
    );
    this.name = 'FunctionTimeoutError';
  }
}

/** The function's process exited while an invocation was running. */
export class FunctionCrashedError extends FunctionInvocationError {
  constructor(
    functionName: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(
      `${functionName} process exited ${signal ? `on signal ${signal}` : `with code ${exitCode}`} during the invocation`,
      functionName,
    );
    this.name = 'FunctionCrashedError';
  }
}

/** The function was stopped before or while the invocation ran. */
export class FunctionStoppedError extends FunctionInvocationError {
  constructor(functionName: string) {
    super(`${functionName} is stopped and takes no invocations`, functionName);
    this.name = 'FunctionStoppedError';
  }
}
