import type { TableId } from '../../functions/shared/resources';
import {
  analytics,
  healthRecord,
  notification,
  payment,
} from '../../functions/shared/task-classes';

/** DynamoDB actions a function may take on one table. */
export type TableAccess = 'read' | 'write' | 'append';

/**
 * IAM actions of each access level. Transactions need no action of their
 * own, because IAM checks each Put, Update, Delete and ConditionCheck item
 * against PutItem, UpdateItem, DeleteItem and ConditionCheckItem.
 */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
  // NOTE: IAM cannot require a condition expression, so PutItem could still
  // replace an audit entry. Writers must give each entry a new sort key.
  append: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * Actions of the ingest function on the tasks table. It claims the API
 * idempotency key and writes the task in one transaction, marks the task
 * enqueued, and deletes its own key claim when the queue send fails.
 */
export const INGEST_TASKS_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * Tables each consumer may use, keyed by task class name. Every consumer
 * records its outcome in `tasks` and its Powertools idempotency records in
 * `idempotency`. No consumer may update or delete an audit entry.
 */
export const CONSUMER_TABLE_ACCESS: Readonly<
  Record<string, Partial<Record<TableId, TableAccess>>>
> = {
  [payment.name]: {
    tasks: 'write',
    idempotency: 'write',
    ledger: 'write',
    audit: 'append',
  },
  [healthRecord.name]: {
    tasks: 'write',
    idempotency: 'write',
    healthRecords: 'write',
    audit: 'append',
  },
  [notification.name]: { tasks: 'write', idempotency: 'write' },
  [analytics.name]: {
    tasks: 'write',
    idempotency: 'write',
    analytics: 'write',
  },
};
