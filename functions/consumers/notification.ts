import { requireEnv } from '../shared/aws-clients';
import { PoisonMessageError } from '../shared/errors';
import { ENV } from '../shared/resources';
import { type NotificationTask, notification } from '../shared/task-classes';
import { saveTaskOutcome } from '../shared/task-store';
import { createConsumer, type ValidTask } from './consumer';

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
  await saveTaskOutcome({
    taskId: envelope.taskId,
    className: notification.name,
    businessKey: envelope.businessKey,
    status: 'completed',
    result,
  });
  return result;
};

export const handler = createConsumer(notification, sendNotification);
