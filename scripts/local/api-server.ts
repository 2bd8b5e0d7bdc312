import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  invalidApiKeyProblem,
  requestTooLargeProblem,
  unknownRouteProblem,
} from '../../functions/shared/gateway-problems';
import { ROUTES, type Route } from '../../functions/shared/routes';
import {
  buildProxyEvent,
  lastHeaderValue,
  matchRoute,
  type RouteMatch,
} from './api-gateway-event';
import {
  gatewayErrorOf,
  gatewayProblemResponseOf,
  type HttpResponse,
  httpResponseOf,
} from './api-gateway-response';
import { localLogger } from './local-logger';

/** API Gateway REST APIs reject payloads above 10 MB with 413. */
export const MAX_API_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Stage name of the local API, shown in `requestContext.stage`. */
export const LOCAL_STAGE = 'local';

export interface ApiServerOptions {
  /** Runs the integration function; a rejection becomes a 502. */
  readonly invoke: (event: APIGatewayProxyEvent) => Promise<unknown>;
  /** Accepted values of the `x-api-key` header; at least one. */
  readonly apiKeys: readonly string[];
  /** TCP port on 127.0.0.1; 0 picks a free port. */
  readonly port: number;
  /** @default ROUTES, the routes the CDK stack defines */
  readonly routes?: readonly Route[];
  /** @default 'local' */
  readonly stage?: string;
  readonly logger?: Logger;
}

/** A running local API. */
export interface ApiServer {
  /** Base URL without a trailing slash, for example `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and resolves once open requests have responses. */
  close(): Promise<void>;
}

const FORBIDDEN = gatewayProblemResponseOf(
  invalidApiKeyProblem(),
  'ForbiddenException',
);
const TOO_LONG = gatewayProblemResponseOf(requestTooLargeProblem());
const INTERNAL_ERROR = gatewayErrorOf(
  502,
  'Internal server error',
  'InternalServerErrorException',
);

/**
 * Reads the body up to `limit` bytes and resolves with undefined when it is
 * longer. The rest of a long body is still read so that the client sees
 * the 413 instead of a reset connection.
 */
const readBody = (
  request: IncomingMessage,
  limit: number,
): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        chunks.length = 0;
      }
    });
    request.on('end', () =>
      resolve(size <= limit ? Buffer.concat(chunks) : undefined),
    );
    request.on('error', reject);
  });

const requestUrlOf = (request: IncomingMessage): URL => {
  const target = request.url ?? '/';
  try {
    return new URL(target, `http://${request.headers.host ?? '127.0.0.1'}`);
  } catch {
    return new URL(target, 'http://127.0.0.1');
  }
};

const sourceIpOf = (request: IncomingMessage): string =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** Adds the X-Forwarded-* headers that API Gateway passes to the function. */
const withForwardedHeaders = (
  request: IncomingMessage,
  sourceIp: string,
): string[] => {
  const raw = request.rawHeaders;
  const forwardedFor = lastHeaderValue(raw, 'X-Forwarded-For');
  const otherHeaders: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    if (!/^x-forwarded-(for|port|proto)$/i.test(name)) {
      otherHeaders.push(name, raw[index + 1] as string);
    }
  }
  return [
    ...otherHeaders,
    'X-Forwarded-For',
    forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp,
    'X-Forwarded-Port',
    String(request.socket.localPort ?? ''),
    'X-Forwarded-Proto',
    'http',
  ];
};

const writeResponse = (
  response: ServerResponse,
  result: HttpResponse,
  requestId: string,
): void => {
  response.writeHead(result.statusCode, {
    ...result.headers,
    'x-amzn-RequestId': requestId,
  });
  response.end(result.body);
};

class RequestHandler {
  private readonly keys: ReadonlySet<string>;
  private readonly routes: readonly Route[];
  private readonly stage: string;
  private readonly logger: Logger;

  constructor(private readonly options: ApiServerOptions) {
    this.keys = new Set(options.apiKeys);
    this.routes = options.routes ?? ROUTES;
    this.stage = options.stage ?? LOCAL_STAGE;
    this.logger = options.logger ?? localLogger;
  }

  async handle(request: IncomingMessage, response: ServerResponse) {
    const requestId = randomUUID();
    const startedAt = Date.now();
    let result: HttpResponse;
    try {
      result = await this.respond(request, requestId);
    } catch (error) {
      // Reading the body failed, so the client has gone.
      this.logger.warn('request aborted', { requestId, error: error as Error });
      response.destroy();
      return;
    }
    try {
      writeResponse(response, result, requestId);
    } catch (error) {
      // An invalid header name or value makes writeHead throw.
      this.logger.error('invalid response header from the function', {
        requestId,
        error: error as Error,
      });
      writeResponse(response, INTERNAL_ERROR, requestId);
    }
    this.logger.info('request', {
      requestId,
      method: request.method,
      path: requestUrlOf(request).pathname,
      statusCode: response.statusCode,
      durationMs: Date.now() - startedAt,
    });
  }

  private async respond(
    request: IncomingMessage,
    requestId: string,
  ): Promise<HttpResponse> {
    const url = requestUrlOf(request);
    const method = request.method ?? 'GET';
    const match = matchRoute(this.routes, method, url.pathname);
    const apiKey = lastHeaderValue(request.rawHeaders, 'x-api-key');
    const body = await readBody(request, MAX_API_PAYLOAD_BYTES);

    if (!match) {
      return gatewayProblemResponseOf(
        unknownRouteProblem(method, this.routes),
        'MissingAuthenticationTokenException',
      );
    }
    if (apiKey === undefined || !this.keys.has(apiKey)) {
      return FORBIDDEN;
    }
    if (body === undefined) {
      return TOO_LONG;
    }
    return this.invoke(
      request,
      { match, method, url, apiKey, requestId },
      body,
    );
  }

  private async invoke(
    request: IncomingMessage,
    checked: {
      match: RouteMatch;
      method: string;
      url: URL;
      apiKey: string;
      requestId: string;
    },
    body: Buffer,
  ): Promise<HttpResponse> {
    const sourceIp = sourceIpOf(request);
    const event = buildProxyEvent({
      ...checked,
      rawHeaders: withForwardedHeaders(request, sourceIp),
      body: body.length > 0 ? body.toString('utf8') : null,
      sourceIp,
      stage: this.stage,
      receivedAt: new Date(),
    });
    try {
      return httpResponseOf(await this.options.invoke(event));
    } catch (error) {
      this.logger.error('integration failed; returning 502', {
        requestId: checked.requestId,
        error: error as Error,
      });
      return INTERNAL_ERROR;
    }
  }
}

/**
 * Starts a local stand-in for the API Gateway REST API on 127.0.0.1. It
 * routes only the given routes, requires an API key in `x-api-key` and
 * passes each request to the integration as a Lambda proxy event. Its own
 * errors have the status codes and bodies of the stack's gateway
 * responses: 403 for an unknown route or a missing or wrong key, 413 above
 * 10 MB, and 502 when the integration fails or returns a malformed result.
 */
export const startApiServer = async (
  options: ApiServerOptions,
): Promise<ApiServer> => {
  if (options.apiKeys.length === 0 || options.apiKeys.some((key) => !key)) {
    throw new RangeError(
      'apiKeys must contain at least one non-empty key; set EKBAR_API_KEYS to a comma-separated list',
    );
  }
  const handler = new RequestHandler(options);
  const server: Server = createServer((request, response) => {
    void handler.handle(request, response);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} on 127.0.0.1 is in use; set EKBAR_PORT to a free port, or to 0 to pick one`,
            )
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
};
