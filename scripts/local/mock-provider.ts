import { createHash, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import { localLogger } from './local-logger';

/** Maximum request body of the mock provider, in bytes (1 MiB). */
export const MAX_PROVIDER_BODY_BYTES = 1024 * 1024;

/** A message the provider accepted and counts as delivered once. */
export interface DeliveredMessage {
  /** Idempotency-Key of the request, or null when it carried none. */
  readonly idempotencyKey: string | null;
  readonly id: string;
  /** The parsed JSON body as the provider received it. */
  readonly body: unknown;
  /** ISO 8601 time of the first request. */
  readonly receivedAt: string;
}

/** Body of a `GET /messages` response. */
export interface ProviderSnapshot {
  readonly messages: readonly DeliveredMessage[];
  /** Every POST /messages request, including replays and rejected ones. */
  readonly postCount: number;
  readonly replayCount: number;
}

export interface MockProviderOptions {
  /** TCP port on 127.0.0.1; 0 picks a free port. @default 0 */
  readonly port?: number;
  /**
   * Share of POST requests, 0 to 1, rejected with 503 before anything is
   * delivered. @default 0
   */
  readonly failureRate?: number;
  /** Source of randomness for the failure rate. @default Math.random */
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** A running mock provider. */
export interface MockProvider {
  /** Base URL, for example `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Returns what `GET /messages` returns. */
  snapshot(): ProviderSnapshot;
  /** Forgets every message and counter, like `DELETE /messages`. */
  reset(): void;
  stop(): Promise<void>;
}

interface StoredResponse {
  readonly bodyHash: string;
  readonly statusCode: number;
  readonly body: string;
}

const compareKeys = (left: string, right: string): number => {
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
};

/** Serializes JSON with sorted object keys, so key order does not matter. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([left], [right]) => compareKeys(left, right))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
};

const hashOf = (value: unknown): string =>
  createHash('sha256').update(canonicalJson(value)).digest('hex');

const readBody = (
  request: IncomingMessage,
): Promise<{ text: string; tooLarge: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PROVIDER_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    request.on('end', () =>
      resolve({
        text: Buffer.concat(chunks).toString('utf8'),
        tooLarge: size > MAX_PROVIDER_BODY_BYTES,
      }),
    );
    request.on('error', reject);
  });

const sendJson = (
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(statusCode, {
    'Content-Type': 'application/json',
    ...headers,
  });
  response.end(text);
};

const errorBody = (message: string) => ({ error: { message } });

const headerOf = (
  request: IncomingMessage,
  name: string,
): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[value.length - 1] : value;
};

class ProviderState {
  readonly delivered: DeliveredMessage[] = [];
  readonly byKey = new Map<string, StoredResponse>();
  postCount = 0;
  replayCount = 0;

  snapshot(): ProviderSnapshot {
    return {
      messages: [...this.delivered],
      postCount: this.postCount,
      replayCount: this.replayCount,
    };
  }

  reset(): void {
    this.delivered.length = 0;
    this.byKey.clear();
    this.postCount = 0;
    this.replayCount = 0;
  }
}

class ProviderHandler {
  private readonly failureRate: number;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(
    readonly state: ProviderState,
    options: MockProviderOptions,
  ) {
    this.failureRate = options.failureRate ?? 0;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? localLogger;
  }

  async handle(request: IncomingMessage, response: ServerResponse) {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (pathname !== '/messages') {
      request.resume();
      sendJson(response, 404, errorBody(`no resource at ${pathname}`));
      return;
    }
    if (request.method === 'GET') {
      sendJson(response, 200, this.state.snapshot());
    } else if (request.method === 'DELETE') {
      this.state.reset();
      response.writeHead(204).end();
    } else if (request.method === 'POST') {
      await this.post(request, response);
    } else {
      request.resume();
      sendJson(response, 405, errorBody('use GET, POST or DELETE'), {
        Allow: 'GET, POST, DELETE',
      });
    }
  }

  private async post(request: IncomingMessage, response: ServerResponse) {
    this.state.postCount += 1;
    const key = headerOf(request, 'Idempotency-Key') ?? null;
    const { text, tooLarge } = await readBody(request);

    if (tooLarge) {
      this.reply(response, 413, key, 'body larger than 1 MiB');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.reply(response, 400, key, 'body is not valid JSON');
      return;
    }
    if (this.random() < this.failureRate) {
      this.reply(response, 503, key, 'injected failure; retry later');
      return;
    }

    const stored = key === null ? undefined : this.state.byKey.get(key);
    if (stored) {
      this.replay(response, key as string, stored, hashOf(body));
      return;
    }
    this.deliver(response, key, body);
  }

  private deliver(response: ServerResponse, key: string | null, body: unknown) {
    const message: DeliveredMessage = {
      idempotencyKey: key,
      id: `msg_${randomUUID()}`,
      body,
      receivedAt: new Date().toISOString(),
    };
    const responseBody = JSON.stringify({
      id: message.id,
      status: 'accepted',
      idempotencyKey: key,
      receivedAt: message.receivedAt,
    });
    this.state.delivered.push(message);
    if (key !== null) {
      this.state.byKey.set(key, {
        bodyHash: hashOf(body),
        statusCode: 201,
        body: responseBody,
      });
    }
    this.logger.info('provider delivered a message', {
      messageId: message.id,
      idempotencyKey: key,
    });
    sendJson(response, 201, responseBody);
  }

  private replay(
    response: ServerResponse,
    key: string,
    stored: StoredResponse,
    bodyHash: string,
  ) {
    if (stored.bodyHash !== bodyHash) {
      this.reply(
        response,
        422,
        key,
        'Idempotency-Key was already used with a different body; use a new key for a different message',
      );
      return;
    }
    this.state.replayCount += 1;
    this.logger.info('provider replayed a stored response', {
      idempotencyKey: key,
    });
    sendJson(response, stored.statusCode, stored.body, {
      'Idempotent-Replayed': 'true',
    });
  }

  private reply(
    response: ServerResponse,
    statusCode: number,
    key: string | null,
    message: string,
  ) {
    this.logger.info('provider rejected a request', {
      statusCode,
      idempotencyKey: key,
      reason: message,
    });
    sendJson(response, statusCode, errorBody(message));
  }
}

/**
 * Starts a mock notification provider on 127.0.0.1 that honours the
 * `Idempotency-Key` header. The first POST /messages with a key delivers
 * the message and returns 201. The same key with the same JSON body
 * replays that response with `Idempotent-Replayed: true` and delivers
 * nothing. The same key with a different body is rejected with 422.
 * GET /messages lists the deliveries, so a test can count them per key.
 * Bodies are never logged because they contain personal data.
 */
export const startMockProvider = async (
  options: MockProviderOptions = {},
): Promise<MockProvider> => {
  const failureRate = options.failureRate ?? 0;
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(
      `failureRate must be a number from 0 to 1, got ${failureRate}`,
    );
  }
  const state = new ProviderState();
  const handler = new ProviderHandler(state, options);
  const server = createServer((request, response) => {
    handler.handle(request, response).catch(() => response.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    snapshot: () => state.snapshot(),
    reset: () => state.reset(),
    stop: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
};
