import type { OutgoingHttpHeaders } from 'node:http';
import {
  GATEWAY_PROBLEM_TYPE,
  type GatewayProblem,
} from '../../functions/shared/gateway-problems';

/** An HTTP response ready to be written. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** The handler's result is not a valid Lambda proxy integration response. */
export class MalformedProxyResponseError extends Error {
  constructor(detail: string) {
    super(`malformed Lambda proxy response: ${detail}`);
    this.name = 'MalformedProxyResponseError';
  }
}

/**
 * Headers that Node's HTTP server computes itself from the body and the
 * connection, so a handler's value for them is dropped.
 */
const SERVER_MANAGED_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'transfer-encoding',
]);

type HeaderValue = string | number | boolean;

const isHeaderValue = (value: unknown): value is HeaderValue =>
  ['string', 'number', 'boolean'].includes(typeof value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const singleHeadersOf = (value: unknown): [string, string][] => {
  if (value === undefined || value === null) {
    return [];
  }
  if (!isRecord(value)) {
    throw new MalformedProxyResponseError('headers is not an object');
  }
  return Object.entries(value).map(([name, headerValue]) => {
    if (!isHeaderValue(headerValue)) {
      throw new MalformedProxyResponseError(
        `header ${name} is not a string, number or boolean`,
      );
    }
    return [name, String(headerValue)];
  });
};

const multiHeadersOf = (value: unknown): [string, string][] => {
  if (value === undefined || value === null) {
    return [];
  }
  if (!isRecord(value)) {
    throw new MalformedProxyResponseError('multiValueHeaders is not an object');
  }
  return Object.entries(value).flatMap(([name, values]) => {
    if (!Array.isArray(values) || !values.every(isHeaderValue)) {
      throw new MalformedProxyResponseError(
        `multiValueHeaders.${name} is not an array of strings`,
      );
    }
    return values.map((headerValue): [string, string] => [
      name,
      String(headerValue),
    ]);
  });
};

/**
 * Merges `headers` and `multiValueHeaders`, matching names whatever their
 * case. A `headers` value already listed in `multiValueHeaders` under the
 * same name is not repeated.
 */
const mergeHeaders = (result: Record<string, unknown>): OutgoingHttpHeaders => {
  const merged = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string, unique: boolean): void => {
    const key = name.toLowerCase();
    if (SERVER_MANAGED_HEADERS.has(key)) {
      return;
    }
    const entry = merged.get(key) ?? { name, values: [] };
    if (!unique || !entry.values.includes(value)) {
      entry.values.push(value);
    }
    merged.set(key, entry);
  };
  for (const [name, value] of multiHeadersOf(result.multiValueHeaders)) {
    add(name, value, false);
  }
  for (const [name, value] of singleHeadersOf(result.headers)) {
    add(name, value, true);
  }

  const headers: OutgoingHttpHeaders = {};
  for (const { name, values } of merged.values()) {
    headers[name] = values.length === 1 ? values[0] : values;
  }
  return headers;
};

const bodyOf = (result: Record<string, unknown>): Buffer => {
  const { body, isBase64Encoded } = result;
  if (body === undefined || body === null) {
    return Buffer.alloc(0);
  }
  if (typeof body !== 'string') {
    throw new MalformedProxyResponseError(
      'body is not a string; serialize it with JSON.stringify',
    );
  }
  return isBase64Encoded === true
    ? Buffer.from(body, 'base64')
    : Buffer.from(body, 'utf8');
};

/**
 * Converts a handler's Lambda proxy integration result into the HTTP
 * response API Gateway sends. Without a Content-Type the response gets
 * `application/json`, as API Gateway REST APIs do.
 * @throws MalformedProxyResponseError when the result has the wrong shape,
 * for which API Gateway returns 502
 */
export const httpResponseOf = (result: unknown): HttpResponse => {
  if (!isRecord(result)) {
    throw new MalformedProxyResponseError('the result is not an object');
  }
  const { statusCode } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedProxyResponseError(
      `statusCode ${JSON.stringify(statusCode)} is not an integer from 100 to 599`,
    );
  }
  const headers = mergeHeaders(result);
  const hasContentType = Object.keys(headers).some(
    (name) => name.toLowerCase() === 'content-type',
  );
  if (!hasContentType) {
    headers['Content-Type'] = 'application/json';
  }
  return { statusCode, headers, body: bodyOf(result) };
};

const gatewayHeadersOf = (errorType?: string): OutgoingHttpHeaders => ({
  'Content-Type': 'application/problem+json',
  ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
});

/**
 * Builds one of API Gateway's own error responses that the stack gives no
 * body of its own, so the body carries the gateway's message.
 */
export const gatewayErrorOf = (
  statusCode: number,
  message: string,
  errorType?: string,
): HttpResponse => ({
  statusCode,
  headers: gatewayHeadersOf(errorType),
  body: Buffer.from(JSON.stringify(gatewayProblemOf(message))),
});

/**
 * Builds one of API Gateway's own error responses that the stack gives a
 * body of its own, with the status and body of that gateway response.
 */
export const gatewayProblemResponseOf = (
  problem: GatewayProblem,
  errorType?: string,
): HttpResponse => ({
  statusCode: problem.status,
  headers: gatewayHeadersOf(errorType),
  body: Buffer.from(JSON.stringify(problem)),
});

/**
 * Returns the body of an API Gateway error as the stack's DEFAULT_4XX and
 * DEFAULT_5XX gateway responses shape it: problem+json with the gateway's
 * message, so that every error of the API has one format.
 */
export const gatewayProblemOf = (message: string) => ({
  type: GATEWAY_PROBLEM_TYPE,
  title: message,
  detail: message,
});
