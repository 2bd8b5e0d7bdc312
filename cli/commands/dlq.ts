import type { Command } from 'commander';
import {
  TASK_CLASSES,
  type TaskClassDefinition,
} from '../../functions/shared/task-classes';
import { getTask } from '../../functions/shared/task-store';
import {
  type DeadLetterAction,
  type DeadLetterOverrideResult,
  overrideDeadLetters,
} from '../dead-letter-overrides';
import {
  type DeadLetter,
  deadLetterDepth,
  peekDeadLetters,
} from '../dead-letters';
import { InvalidValueError, NotFoundError, PartlyDoneError } from '../errors';
import { resolveOperator } from '../operator';
import {
  type OverrideOptions,
  parseLimit,
  parseTaskClass,
  withJsonOption,
  withOverrideOptions,
} from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderFields,
  renderTable,
} from '../output';
import { startProgress } from '../progress';

/** Default of `--limit`: messages listed per class. */
const DEFAULT_LIST_LIMIT = 100;

/** Maximum number of messages searched for `dlq show`. */
const MAX_SHOW_SEARCH = 10_000;

/** Characters of a reason shown in the list table. */
const REASON_WIDTH = 60;

const shorten = (text: string, width: number): string =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`;

/** A dead letter without its receipt handle and body, for listing. */
const summaryOf = (letter: DeadLetter) => ({
  class: letter.className,
  messageId: letter.messageId,
  taskId: letter.taskId,
  reason: letter.reason,
  attempts: letter.attempts,
  failedAt: letter.failedAt,
  sentAt: letter.sentAt,
  messageGroupId: letter.messageGroupId,
});

const listTable = (letters: readonly DeadLetter[]): string =>
  renderTable(
    [
      { header: 'CLASS', value: (row: DeadLetter) => row.className },
      { header: 'MESSAGE ID', value: (row) => row.messageId },
      { header: 'TASK ID', value: (row) => row.taskId ?? '-' },
      { header: 'FAILED AT', value: (row) => row.failedAt ?? '-' },
      {
        header: 'ATTEMPTS',
        value: (row) =>
          row.attempts === undefined ? '-' : String(row.attempts),
        align: 'right',
      },
      {
        header: 'REASON',
        value: (row) => shorten(row.reason, REASON_WIDTH),
      },
    ],
    letters,
  );

const listDeadLetters = async (
  io: CliIo,
  only: TaskClassDefinition<unknown> | undefined,
  options: OutputOptions & { limit: number },
): Promise<void> => {
  const classes = only ? [only] : TASK_CLASSES;
  const queues: { class: string; depth: number; listed: number }[] = [];
  const letters: DeadLetter[] = [];
  for (const definition of classes) {
    const depth = await deadLetterDepth(definition);
    const listed =
      depth === 0 ? [] : await peekDeadLetters(definition, options.limit);
    queues.push({ class: definition.name, depth, listed: listed.length });
    letters.push(...listed);
  }

  printResult(
    io,
    options,
    { queues, deadLetters: letters.map(summaryOf) },
    () => {
      const names = classes.map((definition) => definition.name).join(', ');
      if (letters.length === 0) {
        return `No dead letters in ${names}.\n`;
      }
      const partial = queues
        .filter((queue) => queue.depth > queue.listed)
        .map(
          (queue) =>
            `${queue.class}: ${queue.listed} of about ${queue.depth} listed\n`,
        )
        .join('');
      return `${listTable(letters)}${partial}`;
    },
  );
};

const bodyText = (letter: DeadLetter): string =>
  letter.envelope ? JSON.stringify(letter.envelope, null, 2) : letter.body;

const adviceFor = (
  letter: DeadLetter,
  status: string | undefined,
): string | undefined => {
  if (!letter.envelope) {
    return 'the body is not a task envelope, so the consumer rejects it again after a redrive; discard it';
  }
  if (status === 'completed') {
    return 'the task already took effect: a redrive will not apply it again, so discard it';
  }
  return status === undefined
    ? undefined
    : 'redrive it once the cause is fixed, or discard it';
};

const showDeadLetter = async (
  io: CliIo,
  definition: TaskClassDefinition<unknown>,
  messageId: string,
  options: OutputOptions,
): Promise<void> => {
  const letters = await peekDeadLetters(definition, MAX_SHOW_SEARCH);
  const letter = letters.find((candidate) => candidate.messageId === messageId);
  if (!letter) {
    throw new NotFoundError(
      `message "${messageId}" is not in the ${definition.name} dead-letter queue; run "ekbar dlq list ${definition.name}" to see the message ids`,
    );
  }
  const task = letter.taskId ? await getTask(letter.taskId) : undefined;

  printResult(
    io,
    options,
    {
      ...summaryOf(letter),
      sourceQueue: letter.sourceQueue,
      taskStatus: task?.status,
      body: letter.envelope ?? letter.body,
    },
    () =>
      `${renderFields([
        ['Class', letter.className],
        ['Message ID', letter.messageId],
        ['Task ID', letter.taskId ?? '-'],
        ['Task status', task?.status ?? '-'],
        ['Advice', adviceFor(letter, task?.status)],
        ['Reason', letter.reason],
        [
          'Attempts',
          letter.attempts === undefined ? '-' : String(letter.attempts),
        ],
        ['Failed at', letter.failedAt ?? '-'],
        ['Sent at', letter.sentAt],
        ['Source queue', letter.sourceQueue],
        ['Message group', letter.messageGroupId],
      ])}Body:\n${bodyText(letter)}\n`,
  );
};

const resultText = (result: DeadLetterOverrideResult): string => {
  const verb = result.action === 'redrive' ? 'Redrove' : 'Discarded';
  const table = renderTable(
    [
      {
        header: 'MESSAGE ID',
        value: (row: (typeof result.messages)[number]) => row.messageId,
      },
      { header: 'TASK ID', value: (row) => row.taskId ?? '-' },
      { header: 'AUDIT ENTITY', value: (row) => row.entity },
    ],
    result.messages,
  );
  return `${verb} ${result.messages.length} message(s) of class ${result.className} as ${result.operator}.\n${table}`;
};

const overrideCommand = async (
  io: CliIo,
  action: DeadLetterAction,
  definition: TaskClassDefinition<unknown>,
  messageIds: readonly string[],
  options: OutputOptions & OverrideOptions & { all?: boolean },
): Promise<void> => {
  if (options.all && messageIds.length > 0) {
    throw new InvalidValueError(
      `give message ids or --all, not both; to ${action} everything, drop the ids`,
    );
  }
  if (!options.all && messageIds.length === 0) {
    throw new InvalidValueError(
      `name the messages to ${action}, or pass --all; run "ekbar dlq list ${definition.name}" to see the message ids`,
    );
  }
  const operator = await resolveOperator(options.operator);
  const result = await overrideDeadLetters({
    definition,
    action,
    messageIds,
    context: { operator, reason: options.reason },
    startProgress: (total) =>
      startProgress(io, {
        label: action,
        total,
        enabled: Boolean(options.all) && !options.json,
      }),
  });

  printResult(io, options, result, () => resultText(result));
  if (result.missing.length > 0) {
    throw new PartlyDoneError(
      `message ${result.missing.join(', ')} left the ${definition.name} dead-letter queue while the command ran, so it was not taken; run "ekbar dlq list ${definition.name}"`,
    );
  }
};

const addOverrideSubcommand = (
  dlq: Command,
  io: CliIo,
  action: DeadLetterAction,
  description: string,
): void => {
  const command = dlq
    .command(action)
    .description(description)
    .argument('<class>', 'task class of the dead-letter queue', parseTaskClass)
    .argument(
      '[messageIds...]',
      'dead-letter message ids, from "ekbar dlq list"',
    )
    .option(
      '--all',
      `${action} every message now in the queue, with a progress bar`,
    );
  withJsonOption(withOverrideOptions(command)).action(
    (definition, messageIds, options) =>
      overrideCommand(io, action, definition, messageIds, options),
  );
};

/** Registers `ekbar dlq list|show|redrive|discard`. */
export const registerDlqCommands = (program: Command, io: CliIo): void => {
  const dlq = program
    .command('dlq')
    .description(
      'inspect, redrive or discard the dead letters of a task class',
    );

  withJsonOption(
    dlq
      .command('list')
      .description(
        'list dead letters with their reasons, without removing them',
      )
      .argument(
        '[class]',
        'task class; all classes when omitted',
        parseTaskClass,
      )
      .option(
        '--limit <count>',
        `most messages listed per class (default: ${DEFAULT_LIST_LIMIT})`,
        parseLimit,
        DEFAULT_LIST_LIMIT,
      ),
  ).action((definition, options) => listDeadLetters(io, definition, options));

  withJsonOption(
    dlq
      .command('show')
      .description(
        'show one dead letter: reason, attempts, task status and body',
      )
      .argument(
        '<class>',
        'task class of the dead-letter queue',
        parseTaskClass,
      )
      .argument('<messageId>', 'dead-letter message id, from "ekbar dlq list"'),
  ).action((definition, messageId, options) =>
    showDeadLetter(io, definition, messageId, options),
  );

  addOverrideSubcommand(
    dlq,
    io,
    'redrive',
    'send dead letters back to the class queue; a task that already took effect is not applied again',
  );
  addOverrideSubcommand(
    dlq,
    io,
    'discard',
    'delete dead letters for good, recording why in the audit trail',
  );
};
