import { CommanderError } from 'commander';
import { CliError, PartlyDoneError } from './errors';
import { type CliIo, toJson } from './output';

/** Exit status of invalid usage: an unknown option, a missing argument. */
export const USAGE_EXIT_CODE = 2;

const withoutFinalPeriod = (text: string): string => text.replace(/\.$/, '');

const endpointOf = (): string =>
  process.env.AWS_ENDPOINT_URL ?? 'the AWS endpoint of your region';

/**
 * Describes an unexpected error in one line, with what to check for the
 * AWS failures an operator can fix: credentials, region, endpoint and
 * missing resources.
 */
export const describeFailure = (error: unknown): string => {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return `cannot reach ${endpointOf()} (${code}); check AWS_ENDPOINT_URL, or start the local runtime with "npm start"`;
  }
  if (error.name === 'CredentialsProviderError') {
    return `no AWS credentials were found (${error.message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  if (error.message === 'Region is missing') {
    return 'the AWS region is not set; set AWS_REGION, for example AWS_REGION=ap-south-1';
  }
  if (
    error.name === 'ResourceNotFoundException' ||
    error.name === 'QueueDoesNotExist' ||
    error.name === 'AWS.SimpleQueueService.NonExistentQueue'
  ) {
    return `${error.name}: ${withoutFinalPeriod(error.message)}; deploy the stack, or check that AWS_REGION and AWS_ENDPOINT_URL point at the deployment`;
  }
  return `${error.name}: ${withoutFinalPeriod(error.message)}`;
};

/**
 * Reports a failure and returns the exit status. A one-line message goes
 * to stderr, and with `--json` stdout also gets an error document, unless
 * the command already printed its result there. A usage error (exit status
 * 2) is printed once: as text on stderr, or with `--json` only as the
 * error document. `createProgram` keeps Commander quiet in that case.
 */
export const reportFailure = (
  error: unknown,
  io: CliIo,
  json: boolean,
): number => {
  if (error instanceof CommanderError) {
    // Without --json, Commander has printed its own message or the help.
    if (error.exitCode === 0) {
      return 0;
    }
    if (json) {
      const message = error.message.replace(/^error: /, '');
      io.stdout(toJson({ error: { code: 'invalid-usage', message } }));
    }
    return USAGE_EXIT_CODE;
  }
  const known = error instanceof CliError;
  const message = known ? error.message : describeFailure(error);
  const usage = known && error.exitCode === USAGE_EXIT_CODE;
  if (!(json && usage)) {
    io.stderr(`ekbar: ${message}\n`);
  }
  if (json && !(error instanceof PartlyDoneError)) {
    io.stdout(
      toJson({ error: { code: known ? error.code : 'failed', message } }),
    );
  }
  return known ? error.exitCode : 1;
};
