import type * as z from 'zod/mini';
import { buildBusinessKey } from '../business-key';

/** Protection level of a class against a repeated effect. */
export type ProtectionLevel =
  /** Consumer idempotency, conditional effect, manual review above a limit. */
  | 'full-with-review'
  /** Consumer idempotency, conditional effect, append-only audit trail. */
  | 'full-with-audit'
  /** Queue deduplication; the business key goes to the provider. */
  | 'queue-dedup'
  /** Retry limits; the effect is still applied once per business key. */
  | 'basic';

/** Lambda and event source settings of one consumer. */
export interface ConsumerSettings {
  /** Records per invocation; SQS FIFO allows 1 to 10. */
  readonly batchSize: number;
  /** Function timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Function memory in MiB. */
  readonly memorySizeMb: number;
}

/**
 * One task class, declared once and read by the CDK stack, the handlers and
 * the local runtime.
 */
export interface TaskClassDefinition<T = unknown> {
  /** URL segment and resource name part, for example `payment`. */
  readonly name: string;
  readonly description: string;
  /** Request body schema; unknown fields are rejected. */
  readonly schema: z.ZodMiniType<T>;
  /** First part of the business key, for example `payment`. */
  readonly entityType: string;
  /** Third part of the business key, for example `capture`. */
  readonly action: string;
  /** Returns the id of the entity the task acts on. */
  entityId(task: T): string;
  /** Returns the fields that define the intent, hashed into the key. */
  intent(task: T): Record<string, unknown>;
  /** Attempts after the first one before the task is dead-lettered. */
  readonly retries: number;
  /** Seconds to wait before each retry; one entry per retry. */
  readonly backoffSeconds: readonly number[];
  /**
   * Seconds that a completed task's idempotency records are kept, sized to
   * the window in which a client or the queue may still repeat the task.
   */
  readonly idempotencyTtlSeconds: number;
  readonly protection: ProtectionLevel;
  /** Whether POST requests must carry an Idempotency-Key header. */
  readonly requiresIdempotencyKey: boolean;
  readonly consumer: ConsumerSettings;
}

/** Returns the business key of a validated task of the given class. */
export const businessKeyOf = <T>(
  definition: TaskClassDefinition<T>,
  task: T,
): string =>
  buildBusinessKey({
    entityType: definition.entityType,
    entityId: definition.entityId(task),
    action: definition.action,
    intent: definition.intent(task),
  });

/** Returns the SQS message group of a task: one group per entity. */
export const messageGroupIdOf = <T>(
  definition: TaskClassDefinition<T>,
  task: T,
): string => `${definition.entityType}_${definition.entityId(task)}`;
