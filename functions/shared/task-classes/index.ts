import { analytics } from './analytics';
import type { TaskClassDefinition } from './definition';
import { healthRecord } from './health-record';
import { notification } from './notification';
import { payment } from './payment';

export * from './definition';

/**
 * Every task class. Adding a class means adding its definition here and a
 * consumer entry under functions/consumers.
 */
export const TASK_CLASSES: readonly TaskClassDefinition<unknown>[] = [
  payment,
  healthRecord,
  notification,
  analytics,
] as TaskClassDefinition<unknown>[];

const byName = new Map(
  TASK_CLASSES.map((definition) => [definition.name, definition]),
);

/** Returns the class with this name, or undefined when there is none. */
export const findTaskClass = (
  name: string,
): TaskClassDefinition<unknown> | undefined => byName.get(name);

export type { AnalyticsTask } from './analytics';
export type { HealthRecordTask } from './health-record';
export type { NotificationTask } from './notification';
export type { PaymentTask } from './payment';
export { analytics, healthRecord, notification, payment };
