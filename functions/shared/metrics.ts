import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch namespace of every ekbar metric. */
export const METRICS_NAMESPACE = 'ekbar';

/** Names of the metrics the functions emit, all counts. */
export const METRIC = {
  accepted: 'TasksAccepted',
  duplicateSuppressed: 'DuplicatesSuppressed',
  keyCollision: 'IdempotencyKeyCollisions',
  inFlightConflict: 'InFlightConflicts',
  retryScheduled: 'RetriesScheduled',
  deadLettered: 'TasksDeadLettered',
  heldForReview: 'PaymentsHeldForReview',
  completed: 'TasksCompleted',
  manualOverride: 'ManualOverrides',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/**
 * Layers that can stop a duplicate: a replayed API response, a business
 * key that already has a task at ingest, the consumer's Powertools record,
 * and the conditional write that guards an effect.
 */
export type DuplicateLayer =
  | 'api-replay'
  | 'ingest-business-key'
  | 'consumer-idempotency'
  | 'effect-guard';

const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ekbar',
});

/**
 * Emits one count in CloudWatch embedded metric format, right away, with
 * the task class (and the layer, where given) as dimensions. Each call
 * writes one log line; CloudWatch turns it into a metric.
 */
export const countMetric = (
  name: MetricName,
  taskClass: string,
  extra: { layer?: DuplicateLayer } = {},
): void => {
  const single = metrics.singleMetric();
  single.addDimension('TaskClass', taskClass);
  if (extra.layer) {
    single.addDimension('Layer', extra.layer);
  }
  single.addMetric(name, MetricUnit.Count, 1);
};
