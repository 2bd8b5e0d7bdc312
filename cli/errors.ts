import { EkbarError } from '../functions/shared/errors';

/**
 * Base class of every failure the CLI reports on purpose. The message is
 * printed as one line, so it names the value at fault and what to do next.
 */
export class CliError extends EkbarError {
  /** Process exit status: 1 when an operation failed, 2 for invalid usage. */
  readonly exitCode: number = 1;
  /** Stable code for scripts, printed in the `--json` error document. */
  readonly code: string = 'failed';
}

/** A task, message, payment or record named on the command line does not exist. */
export class NotFoundError extends CliError {
  override readonly code = 'not-found';
}

/**
 * The target exists but is in a state that forbids the operation, for
 * example a payment that was already approved.
 */
export class StateConflictError extends CliError {
  override readonly code = 'conflict';
}

/** A value given on the command line is invalid. */
export class InvalidValueError extends CliError {
  override readonly exitCode = 2;
  override readonly code = 'invalid-value';
}

/**
 * An override was applied and audited, but its ManualOverrides metric
 * could not be sent.
 */
export class OverrideMetricError extends CliError {
  override readonly code = 'metric-failed';
}

/**
 * An operation on several items finished only in part. The command has
 * already printed what it did, so only this message is added.
 */
export class PartlyDoneError extends CliError {
  override readonly code = 'partly-done';
}
