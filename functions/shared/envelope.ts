import * as z from 'zod/mini';

/**
 * The SQS message body of a task. The payload is checked again by the
 * consumer against its class schema, and the business key is recomputed.
 */
export const taskEnvelopeSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  class: z.string().check(z.minLength(1)),
  businessKey: z.string().check(z.minLength(1)),
  acceptedAt: z.string().check(z.minLength(1)),
  payload: z.unknown(),
});

export type TaskEnvelope = z.infer<typeof taskEnvelopeSchema>;

/** Characters that SQS rejects in a message body and JSON leaves raw. */
const SQS_FORBIDDEN_RAW = /[\uFFFE\uFFFF]/g;

/**
 * Serializes a value as JSON that SQS accepts: JSON.stringify escapes
 * control characters and lone surrogates, and this also escapes U+FFFE and
 * U+FFFF, which SQS rejects with InvalidMessageContents.
 */
export const toSqsJson = (value: unknown): string =>
  JSON.stringify(value).replace(
    SQS_FORBIDDEN_RAW,
    (character) => `\\u${character.charCodeAt(0).toString(16)}`,
  );
