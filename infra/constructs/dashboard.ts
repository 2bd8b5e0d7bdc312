import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  type DuplicateLayer,
  METRIC,
  METRICS_NAMESPACE,
} from '../../functions/shared/metrics';
import {
  FUNCTION_SERVICE_NAME,
  RESOURCE_PREFIX,
} from '../../functions/shared/resources';
import type { TaskPipeline } from './task-pipeline';

/** Props of an {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  /** One pipeline per task class. */
  readonly pipelines: readonly TaskPipeline[];
  /**
   * Period of every graph.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

const LAYERS: readonly DuplicateLayer[] = [
  'api-replay',
  'ingest-business-key',
  'consumer-idempotency',
  'effect-guard',
];

/** Counts that the functions emit per class, graphed one row per class. */
const CLASS_COUNTS = [
  METRIC.accepted,
  METRIC.completed,
  METRIC.keyCollision,
  METRIC.inFlightConflict,
  METRIC.retryScheduled,
  METRIC.deadLettered,
  METRIC.heldForReview,
] as const;

/**
 * The operators' CloudWatch dashboard: per task class, the duplicates each
 * layer stopped, the task counts, manual overrides and the depth of the
 * queue and its dead-letter queue.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${RESOURCE_PREFIX}-operations`,
    });

    for (const pipeline of props.pipelines) {
      this.dashboard.addWidgets(...this.classWidgets(pipeline, period));
    }
  }

  private classWidgets(
    pipeline: TaskPipeline,
    period: Duration,
  ): cloudwatch.IWidget[] {
    const className = pipeline.definition.name;
    const count = (metricName: string, extra: Record<string, string> = {}) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: {
          service: FUNCTION_SERVICE_NAME,
          TaskClass: className,
          ...extra,
        },
        statistic: cloudwatch.Stats.SUM,
        period,
        label: extra.Layer ?? metricName,
      });

    // The CLI emits ManualOverrides with an Action dimension per override.
    const overrides = new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},TaskClass,Action} MetricName="${METRIC.manualOverride}" TaskClass="${className}"', 'Sum', ${period.toSeconds()})`,
      label: METRIC.manualOverride,
      period,
    });

    return [
      new cloudwatch.GraphWidget({
        title: `${className}: duplicates suppressed by layer`,
        left: LAYERS.map((layer) =>
          count(METRIC.duplicateSuppressed, { Layer: layer }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${className}: tasks`,
        left: CLASS_COUNTS.map((name) => count(name)),
        right: [overrides],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${className}: queue depth`,
        left: [
          pipeline.queue.metricApproximateNumberOfMessagesVisible({ period }),
          pipeline.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            label: 'dead letters',
          }),
        ],
        right: [pipeline.queue.metricApproximateAgeOfOldestMessage({ period })],
        width: 8,
      }),
    ];
  }
}
