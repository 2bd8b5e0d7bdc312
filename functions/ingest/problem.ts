import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  DependencyUnavailableError,
  IdempotencyKeyReuseError,
  PayloadTooLargeError,
  RequestInProgressError,
  RequestValidationError,
  TaskNotFoundError,
  UnauthenticatedError,
  UnknownTaskClassError,
  UnsupportedMediaTypeError,
} from '../shared/errors';

/** HTTP status and problem type of each error the API reports. */
const PROBLEMS: ReadonlyArray<
  readonly [new (...args: never[]) => Error, number, string]
> = [
  [RequestValidationError, 400, 'invalid-request'],
  [UnauthenticatedError, 401, 'unauthenticated'],
  [UnknownTaskClassError, 404, 'unknown-task-class'],
  [TaskNotFoundError, 404, 'task-not-found'],
  [RequestInProgressError, 409, 'request-in-progress'],
  [PayloadTooLargeError, 413, 'payload-too-large'],
  [UnsupportedMediaTypeError, 415, 'unsupported-media-type'],
  [IdempotencyKeyReuseError, 422, 'idempotency-key-reused'],
  [DependencyUnavailableError, 503, 'dependency-unavailable'],
];

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Node.js socket error codes of a store that cannot be reached. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/**
 * Reports whether an AWS SDK call failed because the service was out of
 * reach or overloaded (network error, timeout, throttling, a 5xx). Unlike
 * a failed condition or a bug, such a request may succeed when retried.
 */
const isUnavailable = (error: unknown): boolean => {
  if (!(error instanceof Error)) {
    return false;
  }
  const details = error as Error & {
    code?: string;
    $fault?: string;
    $retryable?: unknown;
  };
  return (
    details.name === 'TimeoutError' ||
    NETWORK_ERROR_CODES.has(details.code ?? '') ||
    details.$fault === 'server' ||
    details.$retryable !== undefined
  );
};

/**
 * Returns the error to report: an AWS SDK error that a later retry may
 * clear becomes a DependencyUnavailableError (503 with Retry-After), and
 * any other error stays as it is.
 */
export const reportableErrorOf = (error: unknown): unknown =>
  isUnavailable(error)
    ? new DependencyUnavailableError(
        'a data store is unavailable; retry the request with the same Idempotency-Key',
        { cause: error },
      )
    : error;

/** Returns the HTTP status an error maps to; 500 for unexpected errors. */
export const statusOf = (error: unknown): number =>
  PROBLEMS.find(([type]) => error instanceof type)?.[1] ?? 500;

/**
 * Renders an error as an RFC 9457 `application/problem+json` response. An
 * unexpected error gets a generic detail so that no internals leak.
 */
export const problemResponse = (
  error: unknown,
  instance: string,
): APIGatewayProxyResult => {
  const entry = PROBLEMS.find(([type]) => error instanceof type);
  const status = entry?.[1] ?? 500;
  const detail = entry
    ? (error as Error).message
    : 'the request failed unexpectedly; retry it with the same Idempotency-Key';
  const body: Record<string, unknown> = {
    type: `urn:ekbar:problem:${entry?.[2] ?? 'internal-error'}`,
    title: TITLES[status],
    status,
    detail,
    instance,
  };
  if (error instanceof RequestValidationError) {
    body.field = error.field;
  }

  const headers: Record<string, string> = {
    'Content-Type': 'application/problem+json',
  };
  if (status === 409 || status === 503) {
    headers['Retry-After'] = '1';
  }
  return { statusCode: status, headers, body: JSON.stringify(body) };
};
