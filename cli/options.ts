import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  findTaskClass,
  TASK_CLASSES,
  type TaskClassDefinition,
} from '../functions/shared/task-classes';

/** Maximum length of an override reason, in characters. */
export const MAX_REASON_LENGTH = 1_000;

const classNames = (): string =>
  TASK_CLASSES.map((definition) => definition.name).join(', ');

/** Parses a task class argument, naming the valid classes when it is unknown. */
export const parseTaskClass = (name: string): TaskClassDefinition<unknown> => {
  const definition = findTaskClass(name);
  if (!definition) {
    throw new InvalidArgumentError(
      `task class "${name}" does not exist; use one of: ${classNames()}.`,
    );
  }
  return definition;
};

/**
 * Parses a task id argument and rejects an empty one. Any other id goes to
 * the lookup, which reports an id that it cannot find as not found.
 */
export const parseTaskId = (text: string): string => {
  if (text.trim() === '') {
    throw new InvalidArgumentError(
      'the task id is empty; give the taskId that the API returned, such as tsk_0c9c2ad4156b1fc10b147551bb.',
    );
  }
  return text;
};

/** Parses a `--reason` value: required text of at most 1,000 characters. */
export const parseReason = (text: string): string => {
  const reason = text.trim();
  if (reason === '') {
    throw new InvalidArgumentError(
      'the reason is empty; say why you override, for example --reason "customer confirmed by phone".',
    );
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw new InvalidArgumentError(
      `the reason has ${reason.length} characters; shorten it to at most ${MAX_REASON_LENGTH}.`,
    );
  }
  return reason;
};

/** Parses an amount of whole rupees: an integer from 0 up. */
export const parseRupees = (text: string): number => {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(
      `"${text}" is not a whole number of rupees; give an integer such as 1200.`,
    );
  }
  return value;
};

/** Adds `--json` to a command. */
export const withJsonOption = (command: Command): Command =>
  command.option(
    '--json',
    'print one JSON document for scripts instead of text for people',
  );

/** Options of every command that overrides the pipeline's own decision. */
export interface OverrideOptions {
  readonly reason: string;
  readonly operator?: string;
}

/**
 * Adds the required `--reason` and the `--operator` of an override. The
 * operator defaults to EKBAR_OPERATOR, then to the caller's AWS identity.
 */
export const withOverrideOptions = (command: Command): Command =>
  command
    .addOption(
      new Option(
        '--reason <text>',
        'why you override; stored in the audit trail (required)',
      )
        .argParser(parseReason)
        .makeOptionMandatory(),
    )
    .option(
      '--operator <name>',
      'who overrides, for the audit trail (default: $EKBAR_OPERATOR, else the ARN of your AWS identity)',
    );

/** Parses a count such as `--limit`: an integer from 1 to 10,000. */
export const parseLimit = (text: string): number => {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 10_000) {
    throw new InvalidArgumentError(`"${text}" is not a count from 1 to 10000.`);
  }
  return value;
};
