import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isLoopbackUrl } from '../local/emulator';

/** Faults the proxy applies to the requests it forwards. */
export interface FaultSettings {
  /** Milliseconds added before each request is forwarded. @default 0 */
  latencyMs: number;
  /**
   * Share of requests, 0 to 1, whose connection is reset: half of them
   * before the emulator receives the request, half after it responded, so that
   * the caller loses a response to a request that took effect. @default 0
   */
  dropRate: number;
  /**
   * Epoch milliseconds until which every DynamoDB request (an
   * `X-Amz-Target` starting with `DynamoDB_`) has its connection reset.
   * @default 0, no outage
   */
  dynamodbDownUntil: number;
}

/** Counters of what the proxy did since it started. */
export interface FaultProxyStats {
  forwarded: number;
  delayed: number;
  droppedBeforeForward: number;
  droppedAfterResponse: number;
  refusedDynamodb: number;
  upstreamErrors: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Base URL for AWS SDK clients, for example `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Current faults; change the fields to change the faults at once. */
  readonly faults: FaultSettings;
  readonly stats: FaultProxyStats;
  /** Starts a DynamoDB outage of this many milliseconds from now. */
  startDynamodbOutage(durationMs: number): void;
  stop(): Promise<void>;
}

const noFaults = (): FaultSettings => ({
  latencyMs: 0,
  dropRate: 0,
  dynamodbDownUntil: 0,
});

/** Resets a connection with a TCP RST where Node supports it. */
const resetSocket = (socket: Socket): void => {
  if (typeof socket.resetAndDestroy === 'function') {
    socket.resetAndDestroy();
  } else {
    socket.destroy();
  }
};

const isDynamodb = (request: IncomingMessage): boolean =>
  String(request.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

class ProxyHandler {
  readonly faults = noFaults();
  readonly stats: FaultProxyStats = {
    forwarded: 0,
    delayed: 0,
    droppedBeforeForward: 0,
    droppedAfterResponse: 0,
    refusedDynamodb: 0,
    upstreamErrors: 0,
  };

  constructor(
    private readonly upstream: URL,
    private readonly random: () => number,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse) {
    if (isDynamodb(request) && Date.now() < this.faults.dynamodbDownUntil) {
      this.stats.refusedDynamodb += 1;
      resetSocket(request.socket);
      return;
    }
    const drop = this.random() < this.faults.dropRate;
    const dropAfterResponse = drop && this.random() < 0.5;
    if (drop && !dropAfterResponse) {
      this.stats.droppedBeforeForward += 1;
      resetSocket(request.socket);
      return;
    }
    if (this.faults.latencyMs > 0) {
      this.stats.delayed += 1;
      await sleep(this.faults.latencyMs);
    }
    this.forward(request, response, dropAfterResponse);
  }

  private forward(
    request: IncomingMessage,
    response: ServerResponse,
    dropAfterResponse: boolean,
  ): void {
    const upstreamRequest = httpRequest(
      {
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (upstreamResponse) => {
        if (dropAfterResponse) {
          // The emulator has applied the request, and only its response is lost.
          upstreamResponse.resume();
          upstreamResponse.on('end', () => {
            this.stats.droppedAfterResponse += 1;
            resetSocket(request.socket);
          });
          return;
        }
        this.stats.forwarded += 1;
        response.writeHead(
          upstreamResponse.statusCode ?? 502,
          upstreamResponse.headers,
        );
        upstreamResponse.pipe(response);
      },
    );
    upstreamRequest.on('error', () => {
      this.stats.upstreamErrors += 1;
      resetSocket(request.socket);
    });
    request.pipe(upstreamRequest);
  }
}

/**
 * Starts an HTTP proxy on 127.0.0.1 that forwards every request to the
 * emulator at `upstream` and injects the faults in `faults`: added latency,
 * connections reset at a rate, and a window in which DynamoDB requests are
 * reset. It starts with no faults, so that setup runs clean.
 * @throws when `upstream` is not a loopback http URL
 */
export const startFaultProxy = async (
  upstream: string,
  random: () => number = Math.random,
): Promise<FaultProxy> => {
  const target = new URL(upstream);
  if (target.protocol !== 'http:' || !isLoopbackUrl(target)) {
    throw new Error(
      `fault proxy upstream must be an http URL on loopback, got ${upstream}`,
    );
  }
  const handler = new ProxyHandler(target, random);
  const server = createServer((request, response) => {
    handler.handle(request, response).catch(() => {
      resetSocket(request.socket);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    faults: handler.faults,
    stats: handler.stats,
    startDynamodbOutage: (durationMs) => {
      handler.faults.dynamodbDownUntil = Date.now() + durationMs;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
