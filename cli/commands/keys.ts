import type { Command } from 'commander';
import type { TaskClassDefinition } from '../../functions/shared/task-classes';
import { getTask } from '../../functions/shared/task-store';
import { type KeyView, readKey, releaseKey } from '../idempotency-keys';
import { resolveOperator } from '../operator';
import {
  type OverrideOptions,
  parseTaskClass,
  parseTaskId,
  withJsonOption,
  withOverrideOptions,
} from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderFields,
} from '../output';
import { countOverrides } from '../overrides';

const keyText = (key: KeyView): string =>
  renderFields([
    ['Task ID', key.taskId],
    ['Class', key.className],
    ['Business key', key.businessKey],
    ['Record ID', key.id],
    ['Status', key.status],
    ['Expires at', `${key.expiresAt ?? '-'}${key.expired ? ' (expired)' : ''}`],
    [
      'Lock expires at',
      key.status === 'INPROGRESS' ? key.inProgressExpiresAt : undefined,
    ],
    [
      'Result',
      key.result === undefined ? undefined : JSON.stringify(key.result),
    ],
  ]);

const showKey = async (
  io: CliIo,
  definition: TaskClassDefinition<unknown>,
  taskId: string,
  options: OutputOptions,
): Promise<void> => {
  const key = await readKey(definition, taskId);
  printResult(io, options, key, () => keyText(key));
};

const releaseCommand = async (
  io: CliIo,
  definition: TaskClassDefinition<unknown>,
  taskId: string,
  options: OutputOptions & OverrideOptions,
): Promise<void> => {
  const operator = await resolveOperator(options.operator);
  const key = await releaseKey(definition, taskId, {
    operator,
    reason: options.reason,
  });
  await countOverrides(definition.name, 'release', 1);
  // A consumer that met the lock may have hidden the message until then.
  const task = await getTask(taskId);
  const nextAttemptAt =
    task?.status === 'retrying' ? task.nextAttemptAt : undefined;
  const when = nextAttemptAt
    ? `, which SQS delivers at ${nextAttemptAt}, when its delayed retry is due`
    : '';

  printResult(
    io,
    options,
    {
      action: 'release',
      released: key,
      operator,
      reason: options.reason,
      nextAttemptAt,
    },
    () =>
      `Released the INPROGRESS idempotency record of task ${taskId} as ${operator}; the next delivery of the task runs it again${when}.\n`,
  );
};

/** Registers `ekbar keys show|release`. */
export const registerKeysCommands = (program: Command, io: CliIo): void => {
  const keys = program
    .command('keys')
    .description(
      "inspect or release a consumer's idempotency record of a task",
    );

  withJsonOption(
    keys
      .command('show')
      .description(
        'show the idempotency record of a task: status, expiry, lock',
      )
      .argument('<class>', 'task class of the consumer', parseTaskClass)
      .argument('<taskId>', 'task id, such as tsk_...', parseTaskId),
  ).action((definition, taskId, options) =>
    showKey(io, definition, taskId, options),
  );

  withJsonOption(
    withOverrideOptions(
      keys
        .command('release')
        .description(
          'delete a stuck INPROGRESS idempotency record so the task can run again; a COMPLETED record is never released',
        )
        .argument('<class>', 'task class of the consumer', parseTaskClass)
        .argument('<taskId>', 'task id, such as tsk_...', parseTaskId),
    ),
  ).action((definition, taskId, options) =>
    releaseCommand(io, definition, taskId, options),
  );
};
