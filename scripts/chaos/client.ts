import { randomUUID } from 'node:crypto';
import type { Intent } from './task-factory';

/** Settings of a simulated API client. */
export interface ClientSettings {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** Milliseconds a client waits for a response before it gives up on it. */
  readonly requestTimeoutMs: number;
  /** Attempts per submission before the client abandons it. */
  readonly maxAttempts: number;
  /** Milliseconds after which the client stops retrying a submission. */
  readonly maxDurationMs: number;
}

/** Result of the requests of one submission. */
export interface SubmissionOutcome {
  /** Task id of the first 202 response, if any. */
  readonly taskId?: string;
  /** Epoch milliseconds of the first 202 response. */
  readonly acceptedAtMs?: number;
  /** HTTP status or `timeout` / `network` of every attempt. */
  readonly attempts: string[];
}

/** Responses after which the same request may still succeed. */
const RETRYABLE = new Set([
  'timeout',
  'network',
  '409',
  '429',
  '500',
  '502',
  '503',
  '504',
]);

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

const backoffMs = (attempt: number): number =>
  Math.min(500 * 2 ** attempt, 5_000) * (0.5 + Math.random());

/** Sends one POST and returns its status label and the task id of a 202. */
export const postOnce = async (
  settings: ClientSettings,
  intent: Intent,
  idempotencyKey: string | undefined,
  timeoutMs = settings.requestTimeoutMs,
): Promise<{ status: string; taskId?: string }> => {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-api-key': settings.apiKey,
  };
  if (idempotencyKey !== undefined) {
    headers['Idempotency-Key'] = idempotencyKey;
  }
  try {
    const response = await fetch(
      `${settings.apiUrl}/v1/tasks/${intent.className}`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify(intent.body),
        signal: AbortSignal.timeout(timeoutMs),
      },
    );
    const text = await response.text();
    if (response.status !== 202) {
      return { status: String(response.status) };
    }
    const body = JSON.parse(text) as { taskId?: string };
    return { status: '202', taskId: body.taskId };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status:
        name === 'TimeoutError' || name === 'AbortError'
          ? 'timeout'
          : 'network',
    };
  }
};

/**
 * Submits an intent until a 202 arrives, a response shows that a retry
 * cannot help, or the attempts or time run out. `keyOf` returns the
 * Idempotency-Key of each attempt: a careful client returns the same key
 * every time, a buggy one a fresh key.
 */
export const submit = async (
  settings: ClientSettings,
  intent: Intent,
  keyOf: (attempt: number) => string | undefined,
): Promise<SubmissionOutcome> => {
  const attempts: string[] = [];
  const deadline = Date.now() + settings.maxDurationMs;
  for (let attempt = 0; attempt < settings.maxAttempts; attempt += 1) {
    const result = await postOnce(settings, intent, keyOf(attempt));
    attempts.push(result.status);
    if (result.taskId !== undefined) {
      return { taskId: result.taskId, acceptedAtMs: Date.now(), attempts };
    }
    if (!RETRYABLE.has(result.status) || Date.now() > deadline) {
      break;
    }
    await sleep(backoffMs(attempt));
  }
  return { attempts };
};

/** Returns a key function that reuses one new key on every attempt. */
export const sameKey = (): ((attempt: number) => string) => {
  const key = `key-${randomUUID()}`;
  return () => key;
};

/** Returns a key function that makes a new key for every attempt. */
export const freshKeys = (): ((attempt: number) => string) => () =>
  `key-${randomUUID()}`;
