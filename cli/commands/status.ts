import type { Command } from 'commander';
import { isProcessingNow } from '../../functions/ingest/get-task';
import type { TaskRecord } from '../../functions/shared/task-store';
import { parseTaskId, withJsonOption } from '../options';
import {
  type CliIo,
  isoTimeOf,
  type OutputOptions,
  printResult,
  renderFields,
} from '../output';
import { requireTask } from '../task-lookup';

/** Returns what an operator can do next about a task in this status. */
const nextStepOf = (record: TaskRecord): string | undefined => {
  switch (record.status) {
    case 'held-for-review':
      return 'approve or reject it: ekbar review list';
    case 'dead-lettered':
      return `inspect it, then redrive or discard it: ekbar dlq list ${record.class}`;
    case 'processing':
      return `if it stays so, inspect its key: ekbar keys show ${record.class} ${record.taskId}`;
    case 'retrying':
      return `none: SQS delivers it again${record.nextAttemptAt ? ` at ${record.nextAttemptAt}` : ''}, and after the last attempt it goes to the dead-letter queue`;
    default:
      return undefined;
  }
};

const statusText = (record: TaskRecord): string =>
  renderFields([
    ['Task ID', record.taskId],
    ['Class', record.class],
    ['Status', record.status],
    ['Business key', record.businessKey],
    ['Accepted at', record.acceptedAt],
    ['Updated at', record.updatedAt],
    [
      'Enqueued',
      record.enqueued === undefined ? undefined : String(record.enqueued),
    ],
    ['Reason', record.reason],
    ['Next attempt at', record.nextAttemptAt],
    [
      'Result',
      record.result === undefined ? undefined : JSON.stringify(record.result),
    ],
    ['Expires at', isoTimeOf(record.ttl, 'seconds')],
    ['Next step', nextStepOf(record)],
  ]);

const showStatus = async (
  io: CliIo,
  taskId: string,
  options: OutputOptions,
): Promise<void> => {
  const stored = await requireTask(taskId);
  // As in the API, a waiting task that a consumer has claimed is processing.
  const record: TaskRecord = (await isProcessingNow(stored))
    ? { ...stored, status: 'processing' }
    : stored;
  const { pk: _pk, ...document } = record;
  printResult(io, options, document, () => statusText(record));
};

/** Registers `ekbar status <taskId>`. */
export const registerStatusCommand = (program: Command, io: CliIo): void => {
  withJsonOption(
    program
      .command('status')
      .description("show a task's status, result or dead-letter reason")
      .argument('<taskId>', 'task id, such as tsk_...', parseTaskId),
  ).action((taskId, options) => showStatus(io, taskId, options));
};
