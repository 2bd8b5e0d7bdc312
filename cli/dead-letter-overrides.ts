import { auditEntityOf } from '../functions/consumers/health-record';
import type { TaskClassDefinition } from '../functions/shared/task-classes';
import { transitionTask } from '../functions/shared/task-store';
import {
  type DeadLetter,
  deadLetterDepth,
  deleteDeadLetter,
  drainDeadLetters,
  peekDeadLetters,
  resendDeadLetter,
  type Selection,
} from './dead-letters';
import { NotFoundError } from './errors';
import {
  auditEntityOfTask,
  countingOverrides,
  type OverrideContext,
  writeAuditEntry,
} from './overrides';
import type { Progress } from './progress';

/** Maximum number of messages searched to check that requested ids exist. */
const MAX_SEARCHED_MESSAGES = 10_000;

/** Dead-letter overrides. */
export type DeadLetterAction = 'redrive' | 'discard';

/** One dead letter that an override took. */
export interface OverriddenLetter {
  readonly messageId: string;
  readonly taskId?: string;
  /** Audit trail entity the override was recorded under. */
  readonly entity: string;
}

/** Result of a redrive or discard. */
export interface DeadLetterOverrideResult {
  readonly action: DeadLetterAction;
  readonly className: string;
  readonly operator: string;
  readonly reason: string;
  readonly messages: readonly OverriddenLetter[];
  /** Requested ids that disappeared from the queue while the command ran. */
  readonly missing: readonly string[];
}

/** Audit entity type of a dead letter whose body is not a task. */
export const DEAD_LETTER_AUDIT_TYPE = 'dead-letter';

/** Returns the audit trail entity of a dead letter. */
export const auditEntityOfLetter = (
  definition: TaskClassDefinition<unknown>,
  letter: DeadLetter,
): string =>
  letter.envelope
    ? auditEntityOfTask(
        definition,
        letter.envelope.businessKey,
        letter.envelope.taskId,
      )
    : auditEntityOf(DEAD_LETTER_AUDIT_TYPE, letter.messageId);

/**
 * Checks that every requested message id is in the class's dead-letter
 * queue, so that a typing error changes nothing.
 * @throws NotFoundError naming the ids that are not there
 */
const checkMessagesExist = async (
  definition: TaskClassDefinition<unknown>,
  messageIds: readonly string[],
): Promise<void> => {
  const present = new Set(
    (await peekDeadLetters(definition, MAX_SEARCHED_MESSAGES)).map(
      (letter) => letter.messageId,
    ),
  );
  const absent = messageIds.filter((id) => !present.has(id));
  if (absent.length > 0) {
    throw new NotFoundError(
      `message ${absent.map((id) => `"${id}"`).join(', ')} is not in the ${definition.name} dead-letter queue; nothing was changed. Run "ekbar dlq list ${definition.name}" to see the message ids`,
    );
  }
};

/** Returns the selection, after checking that there is something to take. */
const selectionOf = async (
  definition: TaskClassDefinition<unknown>,
  action: DeadLetterAction,
  messageIds: readonly string[],
): Promise<{ selection: Selection; expected: number }> => {
  if (messageIds.length > 0) {
    await checkMessagesExist(definition, messageIds);
    return {
      selection: { kind: 'ids', messageIds: new Set(messageIds) },
      expected: messageIds.length,
    };
  }
  const depth = await deadLetterDepth(definition);
  if (depth === 0) {
    throw new NotFoundError(
      `the ${definition.name} dead-letter queue is empty; nothing to ${action}`,
    );
  }
  return {
    selection: { kind: 'all', startedAt: new Date() },
    expected: depth,
  };
};

/**
 * Sends a dead letter back to its class queue and deletes it from the
 * dead-letter queue. A task that the consumer dead-lettered becomes
 * `accepted` again first, so that a status written by the next attempt is
 * never overwritten. When the send fails, the task is dead-lettered again
 * with its old reason.
 */
const redriveDeadLetter = async (
  definition: TaskClassDefinition<unknown>,
  letter: DeadLetter,
  dlqUrl: string,
): Promise<void> => {
  const before = letter.taskId
    ? await transitionTask({
        taskId: letter.taskId,
        from: ['dead-lettered'],
        to: 'accepted',
      })
    : undefined;
  try {
    await resendDeadLetter(definition, letter);
  } catch (error) {
    if (letter.taskId && before) {
      await transitionTask({
        taskId: letter.taskId,
        from: ['accepted'],
        to: 'dead-lettered',
        reason: before.reason,
      });
    }
    throw error;
  }
  await deleteDeadLetter(letter, dlqUrl);
};

/**
 * Deletes a dead letter and marks its task `discarded` with the operator's
 * reason, unless the task reached a final status some other way.
 */
const discardDeadLetter = async (
  letter: DeadLetter,
  dlqUrl: string,
  context: OverrideContext,
): Promise<void> => {
  await deleteDeadLetter(letter, dlqUrl);
  if (letter.taskId) {
    await transitionTask({
      taskId: letter.taskId,
      from: ['accepted', 'retrying', 'dead-lettered'],
      to: 'discarded',
      reason: `discarded by ${context.operator}: ${context.reason}`,
    });
  }
};

/**
 * Redrives or discards dead letters of one class: the given message ids,
 * or every message when none is given. Each one gets an audit entry, and
 * the ManualOverrides metric counts them all, including those done before
 * a failure.
 */
export const overrideDeadLetters = async (input: {
  readonly definition: TaskClassDefinition<unknown>;
  readonly action: DeadLetterAction;
  readonly messageIds: readonly string[];
  readonly context: OverrideContext;
  readonly startProgress: (total: number) => Progress;
}): Promise<DeadLetterOverrideResult> => {
  const { definition, action, context } = input;
  const { selection, expected } = await selectionOf(
    definition,
    action,
    input.messageIds,
  );
  const progress = input.startProgress(expected);
  const done: OverriddenLetter[] = [];

  const handle = async (letter: DeadLetter, dlqUrl: string) => {
    if (action === 'redrive') {
      await redriveDeadLetter(definition, letter, dlqUrl);
    } else {
      await discardDeadLetter(letter, dlqUrl, context);
    }
    const entity = auditEntityOfLetter(definition, letter);
    await writeAuditEntry({
      ...context,
      entity,
      action,
      className: definition.name,
      taskId: letter.taskId,
      messageId: letter.messageId,
    });
    done.push({ messageId: letter.messageId, taskId: letter.taskId, entity });
    progress.increment();
  };

  const { missing } = await countingOverrides(
    definition.name,
    action,
    () => done.length,
    async () => {
      try {
        return await drainDeadLetters(definition, selection, handle);
      } finally {
        progress.stop();
      }
    },
  );
  if (done.length === 0) {
    throw new NotFoundError(
      `no message of the ${definition.name} dead-letter queue could be received; nothing to ${action}. Messages that another ekbar command has received become visible again within 2 minutes, so retry then`,
    );
  }
  return {
    action,
    className: definition.name,
    operator: context.operator,
    reason: context.reason,
    messages: done,
    missing,
  };
};
