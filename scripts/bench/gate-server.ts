/**
 * The emulator gate: an HTTP proxy on loopback, in a process of its own,
 * that passes one request at a time to the emulator and reports in the
 * `x-ekbar-emulator-ms` response header how long the emulator took for it.
 * Usage: gate-server.ts EMULATOR_URL. It prints its own URL on standard
 * output once it listens.
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { isLoopbackUrl } from '../local/emulator';

export const SERVICE_TIME_HEADER = 'x-ekbar-emulator-ms';

/** Headers that describe one connection and so are not passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

const passable = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)),
  );

const bodyOf = (message: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => resolve(Buffer.concat(chunks)));
    message.once('error', reject);
  });

const main = (): void => {
  const target = new URL(process.argv[2] ?? '');
  if (!isLoopbackUrl(target)) {
    throw new Error(
      `emulator URL ${target.href} is not on loopback; the gate only forwards to a local emulator`,
    );
  }
  // One reused connection, so the emulator serves one client at a time.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let tail: Promise<void> = Promise.resolve();

  const forward = (
    incoming: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: passable(incoming.headers),
          agent,
        },
        (answer) => {
          bodyOf(answer).then(
            (answerBody) => {
              const ms = performance.now() - started;
              response.writeHead(answer.statusCode ?? 502, {
                ...passable(answer.headers),
                'content-length': String(answerBody.length),
                [SERVICE_TIME_HEADER]: ms.toFixed(3),
              });
              response.end(answerBody, resolve);
            },
            (error: Error) => {
              response.destroy(error);
              resolve();
            },
          );
        },
      );
      outgoing.once('error', (error) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(
          `emulator gate could not reach ${target.href}: ${error.message}`,
        );
        resolve();
      });
      outgoing.end(body);
    });

  const server = createServer((incoming, response) => {
    bodyOf(incoming).then(
      (body) => {
        tail = tail.then(() => forward(incoming, body, response));
      },
      () => response.destroy(),
    );
  });
  // Longer than any pause between the benchmark's phases, so the clients'
  // kept-alive connections are not closed under them.
  server.keepAliveTimeout = 600_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`http://127.0.0.1:${port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
};

if (require.main === module) {
  main();
}
