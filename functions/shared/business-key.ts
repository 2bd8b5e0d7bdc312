import { createHash } from 'node:crypto';

/** Hex characters of the SHA-256 digest kept in a business key (128 bits). */
const CONTEXT_HASH_LENGTH = 32;

/**
 * Serializes a JSON value with object keys sorted at every depth, so two
 * payloads that differ only in key order serialize to the same string.
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(sortKeys(value));

/** Orders strings by UTF-16 code units, independent of locale. */
const compareCodeUnits = (a: string, b: string): number => {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
};

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => compareCodeUnits(a, b));
    return Object.fromEntries(
      entries.map(([key, child]) => [key, sortKeys(child)]),
    );
  }
  return value;
};

/** Returns the hex SHA-256 digest of a string. */
export const sha256Hex = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/** The parts a business key is built from. */
export interface BusinessKeyParts {
  readonly entityType: string;
  readonly entityId: string;
  readonly action: string;
  /** Fields that define the intent; never a timestamp or a random value. */
  readonly intent: Record<string, unknown>;
}

/**
 * Builds `{entity_type}_{entity_id}_{action}_{context_hash}`, where the hash
 * covers the canonical JSON of the intent. The same intent always yields the
 * same key, and changing any intent field yields a different one.
 *
 * With entity ids of at most 64 characters the key stays under the
 * 128-character limit of an SQS MessageDeduplicationId, so it is used there
 * unchanged.
 */
export const buildBusinessKey = (parts: BusinessKeyParts): string => {
  const contextHash = sha256Hex(canonicalJson(parts.intent)).slice(
    0,
    CONTEXT_HASH_LENGTH,
  );
  return `${parts.entityType}_${parts.entityId}_${parts.action}_${contextHash}`;
};

/** Derives the public task id from a business key. */
export const taskIdFor = (businessKey: string): string =>
  `tsk_${sha256Hex(businessKey).slice(0, 26)}`;
