import { taskIdFor } from '../../functions/shared/business-key';
import {
  analytics,
  businessKeyOf,
  findTaskClass,
  healthRecord,
  notification,
  payment,
} from '../../functions/shared/task-classes';

/** One intended task: a request body and the task id it must map to. */
export interface Intent {
  readonly className: string;
  readonly body: Record<string, unknown>;
  /** Task id the API derives from the body's business key. */
  readonly taskId: string;
  /**
   * Analytics counter shared with other intents, whose count must equal
   * the number of those intents that took effect. Unset for a counter of
   * its own.
   */
  readonly sharedCounter?: string;
}

/** Classes in the order the generator cycles through them. */
export const CLASS_NAMES = [
  payment.name,
  healthRecord.name,
  notification.name,
  analytics.name,
] as const;

/** Returns the task id the API gives this body of this class. */
export const taskIdOf = (className: string, body: unknown): string => {
  const definition = findTaskClass(className);
  if (!definition) {
    throw new Error(`task class "${className}" does not exist`);
  }
  return taskIdFor(businessKeyOf(definition, body));
};

const intentOf = (
  className: string,
  body: Record<string, unknown>,
  sharedCounter?: string,
): Intent => ({
  className,
  body,
  taskId: taskIdOf(className, body),
  sharedCounter,
});

/**
 * Builds unique task bodies from a run prefix and a sequence number, so
 * that every effect in the stores can be traced to one intent.
 */
export class TaskFactory {
  private sequence = 0;

  constructor(private readonly prefix: string) {}

  private nextId(kind: string): string {
    this.sequence += 1;
    return `${this.prefix}-${kind}-${this.sequence}`;
  }

  /** Builds one task of a class, each with entities of its own. */
  single(className: string): Intent {
    const id = this.nextId(className.slice(0, 3));
    switch (className) {
      case payment.name:
        return intentOf(className, this.paymentBody(id, 1_000 + this.sequence));
      case healthRecord.name:
        return intentOf(className, {
          recordId: id,
          patientId: `pat-${this.sequence % 97}`,
          recordType: 'prescription',
          authoredBy: `dr-${this.sequence % 13}`,
          content: { medicine: 'paracetamol', doseMg: 500 },
        });
      case notification.name:
        return intentOf(className, {
          notificationId: id,
          recipient:
            this.sequence % 2 === 0
              ? `user${this.sequence}@example.com`
              : `+9198${String(this.sequence).padStart(8, '0')}`,
          channel: this.sequence % 2 === 0 ? 'email' : 'sms',
          template: 'payment-receipt',
          data: { orderId: `ord-${id}` },
        });
      default:
        return intentOf(className, {
          eventId: id,
          name: 'page-view',
          entityId: id,
          value: 1,
        });
    }
  }

  /**
   * Builds payments that share one payment id with different amounts: at
   * most one may take effect, the others conflict.
   */
  conflictingPayments(count: number): Intent[] {
    const paymentId = this.nextId('pay-shared');
    return Array.from({ length: count }, (_, index) =>
      intentOf(payment.name, this.paymentBody(paymentId, 5_000 + index)),
    );
  }

  /** Builds analytics events with their own ids that add to one counter. */
  sharedCounterEvents(count: number): Intent[] {
    const counter = this.nextId('counter');
    return Array.from({ length: count }, () =>
      intentOf(
        analytics.name,
        {
          eventId: this.nextId('evt'),
          name: 'shared',
          entityId: counter,
          value: 1,
        },
        counter,
      ),
    );
  }

  private paymentBody(
    paymentId: string,
    amount: number,
  ): Record<string, unknown> {
    return {
      paymentId,
      orderId: `ord-${paymentId}-${amount}`,
      payerAccount: 'acct-payer-1',
      merchantAccount: 'acct-merchant-1',
      amount,
      currency: 'INR',
    };
  }
}
