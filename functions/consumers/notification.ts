import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, requireEnv } from '../shared/aws-clients';
import { PoisonMessageError } from '../shared/errors';
import { ENV } from '../shared/resources';
import {
  type NotificationTask,
  notification,
} from '../shared/task-classes/notification';
import {
  saveTaskOutcome,
  type TaskOutcome,
  taskOutcomeUpdate,
} from '../shared/task-store';
import { countOutcome } from './conditional-effect';
import { createConsumer, type ValidTask } from './consumer';
import type { CompletionFold } from './idempotency-store';

/** Milliseconds to wait for the provider before the attempt fails. */
const PROVIDER_TIMEOUT_MS = 3_000;

/** Provider statuses that a later attempt may turn into a success. */
const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);

/**
 * Sends a notification through the provider with the business key as its
 * Idempotency-Key, so the provider drops a repeat that this consumer could
 * not prevent (a crash after the provider accepted the message).
 */
export const sendNotification = async ({
  envelope,
  task,
  completion,
}: ValidTask<NotificationTask>): Promise<Record<string, unknown>> => {
  const response = await fetch(
    `${requireEnv(ENV.notificationProviderUrl)}/messages`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': envelope.businessKey,
      },
      body: JSON.stringify({
        notificationId: task.notificationId,
        channel: task.channel,
        recipient: task.recipient,
        template: task.template,
        data: task.data,
      }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    },
  );
  if (!response.ok) {
    const detail = `notification provider answered HTTP ${response.status}`;
    if (response.status < 500 && !RETRYABLE_STATUSES.has(response.status)) {
      throw new PoisonMessageError(
        `${detail}; the request will not succeed on retry`,
      );
    }
    throw new Error(detail);
  }

  const body = (await response.json()) as { id?: unknown };
  const result = {
    outcome: 'sent',
    providerMessageId: typeof body.id === 'string' ? body.id : null,
  };
  const outcome = {
    taskId: envelope.taskId,
    className: notification.name,
    businessKey: envelope.businessKey,
    status: 'completed' as const,
    result,
  };
  await recordOutcome(outcome, completion);
  countOutcome(outcome);
  return result;
};

/**
 * Records the outcome and completes the idempotency record in one
 * transaction, or records the outcome alone when protection is off.
 */
const recordOutcome = async (
  outcome: TaskOutcome,
  completion: CompletionFold | undefined,
): Promise<void> => {
  if (!completion || !outcome.result) {
    await saveTaskOutcome(outcome);
    return;
  }
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        { Update: taskOutcomeUpdate(outcome) },
        completion.item(outcome.result),
      ],
    }),
  );
  completion.committed();
};

export const handler = createConsumer(notification, sendNotification);
