/** Base class of every error that ekbar raises on purpose. */
export class EkbarError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request field or header is missing or invalid. */
export class RequestValidationError extends EkbarError {
  constructor(
    message: string,
    /** Body field path or header name at fault. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** The request body is larger than the API accepts. */
export class PayloadTooLargeError extends EkbarError {}

/** The request body is not JSON. */
export class UnsupportedMediaTypeError extends EkbarError {}

/** The request carries no caller identity (no API key, no IAM principal). */
export class UnauthenticatedError extends EkbarError {}

/** Maximum characters of a caller's value that an error message repeats. */
const MAX_ECHOED_CHARACTERS = 80;

/** Returns a caller's value for a message, cut short when it is long. */
const echoOf = (value: string): string =>
  value.length > MAX_ECHOED_CHARACTERS
    ? `${value.slice(0, MAX_ECHOED_CHARACTERS)}... (${value.length} characters)`
    : value;

/** The URL names a task class that does not exist. */
export class UnknownTaskClassError extends EkbarError {
  constructor(
    readonly className: string,
    knownClasses: readonly string[],
  ) {
    super(
      `task class "${echoOf(className)}" does not exist; use one of ${knownClasses.join(', ')}`,
    );
  }
}

/** No task with this id is visible to the caller. */
export class TaskNotFoundError extends EkbarError {
  constructor(readonly taskId: string) {
    super(`task "${echoOf(taskId)}" was not found`);
  }
}

/** The Idempotency-Key was used before with a different request body. */
export class IdempotencyKeyReuseError extends EkbarError {}

/** The first request with this Idempotency-Key is still being handled. */
export class RequestInProgressError extends EkbarError {}

/** A dependency (queue, table) failed; the client may retry the request. */
export class DependencyUnavailableError extends EkbarError {}

/**
 * A task message that can never succeed: not JSON, failing the schema, or
 * conflicting with an effect already applied. It goes straight to the
 * dead-letter queue with this message as its reason instead of being retried.
 */
export class PoisonMessageError extends EkbarError {}

/**
 * The entity of a task was already changed by a different intent, for
 * example a payment id that was already captured with another amount.
 */
export class EffectConflictError extends PoisonMessageError {
  constructor(
    message: string,
    readonly businessKey: string,
  ) {
    super(message);
  }
}
