import { randomUUID } from 'node:crypto';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditEntityOf } from '../functions/consumers/health-record';
import { documentClient, requireEnv } from '../functions/shared/aws-clients';
import { METRIC, METRICS_NAMESPACE } from '../functions/shared/metrics';
import { ENV } from '../functions/shared/resources';
import type { TaskClassDefinition } from '../functions/shared/task-classes';
import { cloudWatchClient } from './aws';
import { OverrideMetricError } from './errors';

/** Operator actions that override what the pipeline decided. */
export type OverrideAction =
  | 'release'
  | 'approve'
  | 'reject'
  | 'discard'
  | 'redrive';

/** Operator and reason of an override. */
export interface OverrideContext {
  readonly operator: string;
  readonly reason: string;
}

/** One override as the audit trail records it. */
export interface OverrideRecord extends OverrideContext {
  readonly entity: string;
  readonly action: OverrideAction;
  readonly className: string;
  readonly taskId?: string;
  readonly messageId?: string;
  readonly at?: Date;
}

/**
 * Returns the entity id inside a business key
 * (`{entity_type}_{entity_id}_{action}_{hash}`), or undefined when the key
 * is not of that class. Entity ids may contain underscores, so the id is
 * what remains between the known prefix and the known suffix.
 */
export const entityIdOfBusinessKey = (
  definition: TaskClassDefinition<unknown>,
  businessKey: string,
): string | undefined => {
  const prefix = `${definition.entityType}_`;
  const suffix = new RegExp(`_${definition.action}_[0-9a-f]+$`);
  const match = suffix.exec(businessKey);
  if (!businessKey.startsWith(prefix) || !match) {
    return undefined;
  }
  const entityId = businessKey.slice(prefix.length, match.index);
  return entityId === '' ? undefined : entityId;
};

/** Audit entity type of a task whose business key does not parse. */
export const TASK_AUDIT_TYPE = 'task';

/**
 * Returns the audit trail entity of a task, `<class>#<entity id>` such as
 * `payment#pay_1001`, the partition the consumers write to. A business key
 * that does not parse falls back to `task#<taskId>`.
 */
export const auditEntityOfTask = (
  definition: TaskClassDefinition<unknown>,
  businessKey: string,
  taskId: string,
): string => {
  const entityId = entityIdOfBusinessKey(definition, businessKey);
  return entityId === undefined
    ? auditEntityOf(TASK_AUDIT_TYPE, taskId)
    : auditEntityOf(definition.name, entityId);
};

/**
 * Builds the Put of an override's audit entry, for use alone or inside a
 * transaction with the override. The sort key is `<ISO time>#<action>#<id>`.
 */
export const auditEntryPut = (record: OverrideRecord) => {
  const at = (record.at ?? new Date()).toISOString();
  const id = record.taskId ?? record.messageId ?? randomUUID();
  return {
    TableName: requireEnv(ENV.auditTable),
    Item: {
      entity: record.entity,
      sk: `${at}#${record.action}#${id}`,
      action: record.action,
      override: true,
      operator: record.operator,
      reason: record.reason,
      taskClass: record.className,
      taskId: record.taskId,
      messageId: record.messageId,
      at,
    },
    ConditionExpression: 'attribute_not_exists(entity)',
  };
};

/** Writes an override's audit entry on its own. */
export const writeAuditEntry = async (
  record: OverrideRecord,
): Promise<void> => {
  await documentClient.send(new PutCommand(auditEntryPut(record)));
};

/**
 * Adds `count` to the ManualOverrides metric, with the task class and the
 * action as dimensions. The CLI is not a Lambda function, so it calls
 * PutMetricData instead of printing embedded metric format.
 * @throws OverrideMetricError when CloudWatch rejects the call
 */
export const countOverrides = async (
  className: string,
  action: OverrideAction,
  count: number,
): Promise<void> => {
  if (count === 0) {
    return;
  }
  try {
    await cloudWatchClient.send(
      new PutMetricDataCommand({
        Namespace: METRICS_NAMESPACE,
        MetricData: [
          {
            MetricName: METRIC.manualOverride,
            Dimensions: [
              { Name: 'TaskClass', Value: className },
              { Name: 'Action', Value: action },
            ],
            Unit: 'Count',
            Value: count,
            Timestamp: new Date(),
          },
        ],
      }),
    );
  } catch (error) {
    throw new OverrideMetricError(
      `${count} ${action} override(s) of class ${className} were applied and audited, but the ${METRIC.manualOverride} metric was not sent (${(error as Error).message}); check cloudwatch:PutMetricData permission`,
      { cause: error },
    );
  }
};

/**
 * Runs an operation that applies overrides one by one, then counts in the
 * ManualOverrides metric those it applied, also when it failed part way.
 */
export const countingOverrides = async <T>(
  className: string,
  action: OverrideAction,
  applied: () => number,
  operation: () => Promise<T>,
): Promise<T> => {
  let result: T;
  try {
    result = await operation();
  } catch (error) {
    try {
      await countOverrides(className, action, applied());
    } catch (metricError) {
      throw new OverrideMetricError(
        `${(error as Error).message}; in addition, ${(metricError as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
  await countOverrides(className, action, applied());
  return result;
};
