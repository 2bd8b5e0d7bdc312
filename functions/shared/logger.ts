import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Keys whose values are personal, payment or health data. The code logs
 * ids and classes only; this list is the safety net for a log call that
 * passes a payload or record by mistake.
 */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'payerAccount',
  'merchantAccount',
  'account',
  'recipient',
  'patientId',
  'content',
  'data',
  'payload',
  'body',
  'amount',
]);

export const REDACTED = '[redacted]';

/** Replaces the value of every sensitive key, at any depth, before logging. */
export const redactSensitive = (key: string, value: unknown): unknown =>
  SENSITIVE_KEYS.has(key) ? REDACTED : value;

/**
 * The one structured JSON logger of a function. Log ids and classes, never
 * payloads: they hold personal, payment and health data.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ekbar',
  jsonReplacerFn: redactSensitive,
});
