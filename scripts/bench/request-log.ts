import { SERVICE_TIME_HEADER } from './gate-server';

/** AWS services whose requests the benchmark counts. */
export type Service = 'dynamodb' | 'sqs';

/** Sender of a request: our function code, or the simulated event source. */
export type Origin = 'function' | 'event-source';

/** Request types that AWS bills differently. */
export type RequestType =
  | 'read'
  | 'write'
  | 'transaction'
  | 'send'
  | 'receive'
  | 'delete'
  | 'visibility'
  | 'other';

/** One `client.send` call, with every HTTP attempt the SDK made for it. */
export interface RequestRecord {
  readonly service: Service;
  readonly origin: Origin;
  readonly operation: string;
  readonly type: RequestType;
  /** Items in a transaction or batch; 1 for a single-item request. */
  readonly items: number;
  /** HTTP attempts, retries included; each one reaches AWS and is billed. */
  attempts: number;
  /** Whether the call ended in an error, such as a failed condition. */
  failed: boolean;
  /** Milliseconds spent waiting for responses, over all attempts. */
  wireMs: number;
  /**
   * Milliseconds the emulator took, over the attempts that passed the
   * emulator gate, as the gate measured them.
   */
  emulatorMs: number;
  /** Attempts that passed the emulator gate. */
  gatedAttempts: number;
}

const OPERATION_TYPES: Record<string, RequestType> = {
  GetItem: 'read',
  Query: 'read',
  Scan: 'read',
  BatchGetItem: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'transaction',
  TransactGetItems: 'transaction',
  SendMessage: 'send',
  SendMessageBatch: 'send',
  ReceiveMessage: 'receive',
  DeleteMessage: 'delete',
  DeleteMessageBatch: 'delete',
  ChangeMessageVisibility: 'visibility',
  ChangeMessageVisibilityBatch: 'visibility',
};

/** Returns the billing type of an operation, such as `transaction`. */
export const requestTypeOf = (operation: string): RequestType =>
  OPERATION_TYPES[operation] ?? 'other';

const itemCountOf = (input: Record<string, unknown>): number => {
  const list = input.TransactItems ?? input.Entries;
  if (Array.isArray(list)) {
    return list.length;
  }
  const batch = input.RequestItems;
  if (batch && typeof batch === 'object') {
    return Object.values(batch).reduce(
      (sum: number, entries) =>
        sum + (Array.isArray(entries) ? entries.length : 0),
      0,
    );
  }
  return 1;
};

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;

/** The raw HTTP response that the innermost middleware receives. */
type GateResult =
  | { response?: { headers?: Record<string, string | undefined> } }
  | undefined;
type Context = { commandName?: string; [key: string]: unknown };
type Middleware = (next: Next, context: Context) => Next;

/**
 * The part of an AWS SDK v3 client that the benchmark touches. Both
 * DynamoDBClient and SQSClient have it; the document client shares the
 * stack of the DynamoDBClient it wraps.
 */
export interface InstrumentableClient {
  readonly middlewareStack: {
    add(
      middleware: Middleware,
      options: { step: string; name: string; priority?: string },
    ): void;
  };
}

const RECORD_KEY = '__ekbarBenchRecord';

/**
 * Counts the AWS requests that real code paths send, through two SDK
 * middlewares: one at the `initialize` step counts each `send` call once,
 * and one innermost at the `deserialize` step counts each HTTP attempt,
 * retries included, times the wait for the response and reads the
 * emulator's service time that the emulator gate reports.
 */
export class RequestLog {
  readonly records: RequestRecord[] = [];
  enabled = true;

  /** Adds the counting middlewares to a client. */
  attach(client: unknown, service: Service, origin: Origin): void {
    const stack = (client as InstrumentableClient).middlewareStack;
    stack.add(this.#callMiddleware(service, origin), {
      step: 'initialize',
      name: `ekbarBenchCount-${origin}`,
    });
    stack.add(this.#attemptMiddleware(), {
      step: 'deserialize',
      priority: 'low',
      name: `ekbarBenchAttempt-${origin}`,
    });
  }

  /** Returns the position to pass to `since`. */
  mark(): number {
    return this.records.length;
  }

  /** Returns the records added after a mark. */
  since(mark: number): RequestRecord[] {
    return this.records.slice(mark);
  }

  #callMiddleware(service: Service, origin: Origin): Middleware {
    return (next, context) => async (args) => {
      if (!this.enabled) {
        return next(args);
      }
      const operation = (context.commandName ?? 'Unknown').replace(
        /Command$/,
        '',
      );
      const record: RequestRecord = {
        service,
        origin,
        operation,
        type: requestTypeOf(operation),
        items: itemCountOf(args.input),
        attempts: 0,
        failed: false,
        wireMs: 0,
        emulatorMs: 0,
        gatedAttempts: 0,
      };
      context[RECORD_KEY] = record;
      this.records.push(record);
      try {
        return await next(args);
      } catch (error) {
        record.failed = true;
        throw error;
      }
    };
  }

  #attemptMiddleware(): Middleware {
    return (next, context) => async (args) => {
      const record = context[RECORD_KEY] as RequestRecord | undefined;
      if (!this.enabled || !record) {
        return next(args);
      }
      record.attempts += 1;
      const started = performance.now();
      try {
        const result = (await next(args)) as GateResult;
        const header = result?.response?.headers?.[SERVICE_TIME_HEADER];
        if (header !== undefined) {
          record.emulatorMs += Number(header);
          record.gatedAttempts += 1;
        }
        return result;
      } finally {
        record.wireMs += performance.now() - started;
      }
    };
  }
}
