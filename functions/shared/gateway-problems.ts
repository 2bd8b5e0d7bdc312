import { MAX_BODY_BYTES } from './resources';
import { ROUTES, type Route } from './routes';

// Bodies of the errors that API Gateway returns itself, without invoking
// the ingest function. The CDK stack turns them into gateway response
// templates, and the local runtime sends them as they are.
//
// A gateway response template substitutes `$context` values without JSON
// escaping, so these bodies contain no request path or header value, and
// therefore no `instance`. The request method is the one exception,
// because an HTTP method name cannot contain a quote or a backslash.

/** Problem type of the errors that API Gateway returns itself. */
export const GATEWAY_PROBLEM_TYPE = 'urn:ekbar:problem:gateway';

/** An RFC 9457 `application/problem+json` body sent by API Gateway. */
export interface GatewayProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

const problemOf = (
  status: number,
  title: string,
  detail: string,
): GatewayProblem => ({ type: GATEWAY_PROBLEM_TYPE, title, status, detail });

/**
 * Builds the problem of a request whose `x-api-key` header is missing or
 * names no enabled key of the usage plan. API Gateway rejects both with the
 * same 403 "Forbidden", so one detail covers them.
 */
export const invalidApiKeyProblem = (): GatewayProblem =>
  problemOf(
    403,
    'Forbidden',
    "the x-api-key header is missing, or its value is not an enabled API key in this API's usage plan; send the API key that the operator of this API gave you in the x-api-key header",
  );

/**
 * Builds the problem of a request whose method and path match no route.
 * `method` is the request method, or the `$context.httpMethod` variable in
 * a gateway response template.
 */
export const unknownRouteProblem = (
  method: string,
  routes: readonly Route[] = ROUTES,
): GatewayProblem => {
  const routeList = routes
    .map((route) => `${route.method} ${route.resource}`)
    .join(', ');
  return problemOf(
    403,
    'Forbidden',
    `no route of this API matches ${method} on the request path; use one of these routes, relative to the API URL: ${routeList}`,
  );
};

/** Builds the problem of a request over API Gateway's 10 MB payload limit. */
export const requestTooLargeProblem = (): GatewayProblem =>
  problemOf(
    413,
    'Content Too Large',
    `the request is larger than 10 MB, the payload limit of API Gateway; send a task body of at most ${MAX_BODY_BYTES} bytes`,
  );

/**
 * Builds the problem of a throttled request. The limits are those of the
 * usage plan for each API key and of the stage for each method.
 */
export const throttledProblem = (
  rateLimitPerSecond: number,
  burstLimit: number,
): GatewayProblem =>
  problemOf(
    429,
    'Too Many Requests',
    `requests arrive faster than this API allows (${rateLimitPerSecond} requests per second with bursts of ${burstLimit}, for each API key and for each method); retry with exponential backoff, and keep the Idempotency-Key of a retried POST`,
  );

/** Builds the problem of a request over the API key's daily quota. */
export const quotaExceededProblem = (dailyQuota: number): GatewayProblem =>
  problemOf(
    429,
    'Too Many Requests',
    `this API key has used its quota of ${dailyQuota} requests per day; retry after the quota resets, or ask the operator of this API to raise it`,
  );
