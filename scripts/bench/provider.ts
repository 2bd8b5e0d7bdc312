import { createServer, type Server } from 'node:http';

/** A notification provider stand-in on 127.0.0.1. */
export interface Provider {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a provider that accepts `POST /messages` and returns a message id,
 * the same id again for a repeated Idempotency-Key, as real providers do.
 * It runs in the benchmark's main process, so its CPU time never counts
 * towards a measured function.
 */
export const startProvider = async (): Promise<Provider> => {
  const ids = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/messages') {
        response.writeHead(404).end();
        return;
      }
      const key = String(request.headers['idempotency-key'] ?? '');
      const id = ids.get(key) ?? `msg-${ids.size + 1}`;
      ids.set(key, id);
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id }));
    });
  });
  // Idle connections stay open far longer than any pause in a run, so that
  // a fetch does not reuse a socket that the server is closing just then.
  // Node's default of 5 s can leave that race open on a loaded machine.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
