import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Route } from '../../functions/shared/routes';
import { LOCAL_ACCOUNT_ID } from './lambda-environment';

/** Id of the local REST API, in place of API Gateway's generated id. */
export const LOCAL_API_ID = 'local';

/** A route that matched a request, with its decoded path parameters. */
export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | null;
}

const templatePatternOf = (resource: string): RegExp => {
  const segments = resource.split('/').map((segment) => {
    if (/^\{[^}+]+\+\}$/.test(segment)) {
      return '(.+)';
    }
    if (/^\{[^}]+\}$/.test(segment)) {
      return '([^/]+)';
    }
    return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
};

const parameterNamesOf = (resource: string): string[] =>
  [...resource.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1] ?? '');

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * Finds the route for a method and raw (still percent-encoded) path, or
 * returns undefined when no resource and method match.
 */
export const matchRoute = (
  routes: readonly Route[],
  method: string,
  rawPath: string,
): RouteMatch | undefined => {
  for (const route of routes) {
    if (route.method !== method) {
      continue;
    }
    const match = templatePatternOf(route.resource).exec(rawPath);
    if (!match) {
      continue;
    }
    const names = parameterNamesOf(route.resource);
    const pathParameters = Object.fromEntries(
      names.map((name, index) => [name, decodeSegment(match[index + 1] ?? '')]),
    );
    return {
      route,
      pathParameters: names.length > 0 ? pathParameters : null,
    };
  }
  return undefined;
};

/**
 * Returns the stable id of an API key, so that events carry an id like API
 * Gateway's `apiKeyId` and never the key itself in that field.
 */
export const apiKeyIdOf = (apiKey: string): string =>
  createHash('sha256').update(apiKey).digest('hex').slice(0, 10);

/** Header maps built from Node's raw header list, names in original case. */
export const headerMapsOf = (
  rawHeaders: readonly string[],
): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const value = rawHeaders[index + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
};

/** Returns the last value of a header whatever the case of its name. */
export const lastHeaderValue = (
  rawHeaders: readonly string[],
  name: string,
): string | undefined => {
  const lowerName = name.toLowerCase();
  let found: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === lowerName) {
      found = rawHeaders[index + 1];
    }
  }
  return found;
};

const queryMapsOf = (search: URLSearchParams) => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of search) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  const empty = Object.keys(single).length === 0;
  return { single: empty ? null : single, multi: empty ? null : multi };
};

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** Formats a time as API Gateway's `requestTime`: `dd/MMM/yyyy:HH:mm:ss +0000`. */
export const requestTimeOf = (time: Date): string => {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = pad(time.getUTCDate());
  const month = MONTHS[time.getUTCMonth()];
  const clock = [time.getUTCHours(), time.getUTCMinutes(), time.getUTCSeconds()]
    .map(pad)
    .join(':');
  return `${day}/${month}/${time.getUTCFullYear()}:${clock} +0000`;
};

/** A request that passed the API server's route and key checks. */
export interface AcceptedRequest {
  readonly match: RouteMatch;
  readonly method: string;
  /** The request target as sent, with its query string. */
  readonly url: URL;
  readonly rawHeaders: readonly string[];
  /** UTF-8 text of the body, or null when the body is empty. */
  readonly body: string | null;
  readonly sourceIp: string;
  readonly apiKey: string;
  readonly stage: string;
  readonly requestId: string;
  readonly receivedAt: Date;
}

/**
 * Builds the Lambda proxy integration event that an API Gateway REST API
 * sends, with the stage and API key of the local runtime. Binary media
 * types are not configured, so the body is always text.
 */
export const buildProxyEvent = (
  request: AcceptedRequest,
): APIGatewayProxyEvent => {
  const { headers, multiValueHeaders } = headerMapsOf(request.rawHeaders);
  const query = queryMapsOf(request.url.searchParams);
  const path = request.url.pathname;
  const domainName = request.url.hostname;
  const userAgent = lastHeaderValue(request.rawHeaders, 'User-Agent') ?? null;

  return {
    resource: request.match.route.resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: request.match.pathParameters,
    stageVariables: null,
    body: request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      authorizer: null,
      domainName,
      domainPrefix: domainName.split('.')[0],
      extendedRequestId: randomBytes(8).toString('base64url'),
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: request.apiKey,
        apiKeyId: apiKeyIdOf(request.apiKey),
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${request.stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTime: requestTimeOf(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: LOCAL_API_ID,
      resourcePath: request.match.route.resource,
      stage: request.stage,
    },
  };
};
