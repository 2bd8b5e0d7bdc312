import { sha256Hex } from '../shared/business-key';
import {
  IdempotencyKeyReuseError,
  RequestInProgressError,
} from '../shared/errors';

/**
 * Milliseconds a request holds its Idempotency-Key before another request
 * may take it over: the ingest timeout (10 s) plus a margin for clock skew.
 */
export const KEY_LOCK_MS = 15_000;

/** A stored API response, replayed for a repeated Idempotency-Key. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** An Idempotency-Key record in the tasks table, scoped to one caller. */
export interface KeyRecord {
  readonly pk: string;
  readonly requestHash: string;
  readonly status: 'in-progress' | 'completed';
  /** Epoch milliseconds until which an in-progress request owns the key. */
  readonly lockedUntil: number;
  readonly taskId: string;
  readonly response?: StoredResponse;
  /** Expiry in epoch seconds. */
  readonly ttl: number;
}

/** Returns the tasks table key of a caller's Idempotency-Key. */
export const keyRecordPk = (caller: string, idempotencyKey: string): string =>
  `KEY#${caller}#${sha256Hex(idempotencyKey)}`;

/**
 * Condition under which a request may claim a key record: none exists, the
 * request holding it stopped without finishing, or it expired (moto never
 * deletes expired items and AWS may take days to).
 */
export const CLAIMABLE_KEY_CONDITION =
  'attribute_not_exists(pk) OR (#status = :inProgress AND lockedUntil < :nowMs) OR #ttl < :nowSeconds';

/**
 * Decides what a request gets when its Idempotency-Key already has a
 * record: the stored response, or an error for a different body or a
 * request still in progress.
 */
export const replayOrReject = (
  record: KeyRecord,
  requestHash: string,
): StoredResponse => {
  if (record.requestHash !== requestHash) {
    throw new IdempotencyKeyReuseError(
      'header Idempotency-Key was already used with a different request body; send a new key for a new task',
    );
  }
  if (record.status !== 'completed' || !record.response) {
    throw new RequestInProgressError(
      'a request with this Idempotency-Key is still being handled; retry it after the Retry-After delay',
    );
  }
  return record.response;
};
