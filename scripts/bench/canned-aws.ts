import { createHash } from 'node:crypto';
import type { InstrumentableClient } from './request-log';

/** One recorded HTTP response of an AWS operation. */
export interface Exchange {
  readonly operation: string;
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

interface HttpRequestLike {
  readonly body?: unknown;
}

interface HttpResponseLike {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: unknown;
}

type Next = (args: {
  request?: HttpRequestLike;
}) => Promise<{ response: HttpResponseLike }>;
type Context = { commandName?: string };
type Middleware = (next: Next, context: Context) => Next;

const operationOf = (context: Context): string =>
  (context.commandName ?? 'Unknown').replace(/Command$/, '');

const collect = async (body: unknown): Promise<Uint8Array> => {
  if (body instanceof Uint8Array) {
    return body;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
};

/**
 * SQS checks the MD5 of the body it sent against the response. A recorded
 * SendMessage response carries the MD5 of the recorded body, so it is
 * patched to the MD5 of the body being sent now.
 */
const patchSendMessage = (
  exchange: Exchange,
  request: HttpRequestLike | undefined,
): Uint8Array => {
  const body = request?.body;
  // The SDK's JSON body is a Uint8Array subclass that warns when it is
  // used as a string, so it is decoded as bytes.
  const text =
    body instanceof Uint8Array
      ? new TextDecoder().decode(body)
      : String(body ?? '{}');
  const sent = JSON.parse(text) as {
    MessageBody?: string;
  };
  const recorded = JSON.parse(Buffer.from(exchange.body).toString('utf8'));
  recorded.MD5OfMessageBody = createHash('md5')
    .update(sent.MessageBody ?? '')
    .digest('hex');
  return Buffer.from(JSON.stringify(recorded));
};

/**
 * Serves AWS responses in-process so that a CPU measurement times only our
 * code and the SDK, not the emulator. In `record` mode it passes each call
 * to the emulator and keeps the raw HTTP response. In `replay` mode it
 * returns those responses in the same order without any network I/O, while
 * the SDK still serializes, signs and parses every request as usual.
 */
export class CannedAws {
  #mode: 'pass' | 'record' | 'replay' = 'pass';
  #tape: Exchange[] = [];
  #cursor = 0;

  /** Adds the middleware to a client, innermost before the HTTP handler. */
  attach(client: unknown): void {
    (client as InstrumentableClient).middlewareStack.add(
      this.#middleware() as never,
      { step: 'deserialize', priority: 'low', name: 'ekbarBenchCanned' },
    );
  }

  /** Starts keeping every response from now on. */
  record(): void {
    this.#mode = 'record';
    this.#tape = [];
  }

  /** Stops recording and returns the responses in call order. */
  stop(): Exchange[] {
    this.#mode = 'pass';
    return this.#tape;
  }

  /** Serves the next calls from a tape, starting at its first response. */
  replay(tape: Exchange[]): void {
    this.#mode = 'replay';
    this.#tape = tape;
    this.#cursor = 0;
  }

  /** Starts the tape again; throws unless the last pass used all of it. */
  rewind(): void {
    if (this.#cursor !== this.#tape.length) {
      throw new Error(
        `in-process AWS returned ${this.#cursor} of ${this.#tape.length} recorded responses; the code path differs from the recorded one`,
      );
    }
    this.#cursor = 0;
  }

  #middleware(): Middleware {
    return (next, context) => async (args) => {
      if (this.#mode === 'pass') {
        return next(args);
      }
      if (this.#mode === 'record') {
        const result = await next(args);
        const body = await collect(result.response.body);
        result.response.body = body;
        this.#tape.push({
          operation: operationOf(context),
          statusCode: result.response.statusCode,
          headers: { ...result.response.headers },
          body,
        });
        return result;
      }
      return { response: this.#answer(operationOf(context), args.request) };
    };
  }

  #answer(
    operation: string,
    request: HttpRequestLike | undefined,
  ): HttpResponseLike {
    const exchange = this.#tape[this.#cursor];
    if (!exchange || exchange.operation !== operation) {
      throw new Error(
        `in-process AWS expected ${exchange?.operation ?? 'no call'} as call ${this.#cursor + 1} but got ${operation}; the code path differs from the recorded one`,
      );
    }
    this.#cursor += 1;
    const body =
      operation === 'SendMessage'
        ? patchSendMessage(exchange, request)
        : exchange.body;
    return {
      statusCode: exchange.statusCode,
      headers: { ...exchange.headers, 'content-length': String(body.length) },
      body: Buffer.from(body),
    };
  }
}
