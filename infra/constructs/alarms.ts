import { Annotations, Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RESOURCE_PREFIX } from '../../functions/shared/resources';
import type { TaskPipeline } from './task-pipeline';

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly pipeline: TaskPipeline;
  /** Topic that every alarm notifies when it fires and when it clears. */
  readonly topic: sns.ITopic;
  /**
   * Age in seconds of the oldest message in the task queue above which
   * the consumer is considered stuck or too slow. Synthesis warns when it
   * is within the class's retry span (receives times visibility timeout),
   * where a task that is merely being retried would fire the alarm.
   * @default 300
   */
  readonly oldestMessageAgeSeconds?: number;
}

const notify = (alarm: cloudwatch.Alarm, topic: sns.ITopic): void => {
  const action = new actions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
};

/**
 * Alarms of one task class, on any dead letter, on a task queue that is
 * not drained, and on consumer errors and throttles. Missing data is treated as
 * healthy because SQS and Lambda emit no data points while idle.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);

    const ageSeconds = props.oldestMessageAgeSeconds ?? 300;
    if (!Number.isInteger(ageSeconds) || ageSeconds < 60) {
      throw new Error(
        `oldestMessageAgeSeconds is ${ageSeconds}; set an integer of at least 60 seconds`,
      );
    }
    const { pipeline } = props;
    const retrySpanSeconds =
      pipeline.settings.maxReceiveCount *
      pipeline.settings.visibilityTimeoutSeconds;
    if (ageSeconds <= retrySpanSeconds) {
      Annotations.of(this).addWarningV2(
        'ekbar:PipelineAlarms.oldestMessageAge',
        `oldestMessageAgeSeconds is ${ageSeconds}, within the ${retrySpanSeconds} s that ${pipeline.definition.name} retries may take; the alarm can fire on tasks that are only being retried`,
      );
    }
    const prefix = `${RESOURCE_PREFIX}-${pipeline.definition.name}`;
    const consumer = pipeline.consumer.lambdaFunction;
    const period = Duration.minutes(1);

    this.alarms = [
      new cloudwatch.Alarm(this, 'DeadLetters', {
        alarmName: `${prefix}-dead-letters`,
        alarmDescription: `Tasks of class ${pipeline.definition.name} are in the dead-letter queue; inspect, then redrive or discard them.`,
        metric:
          pipeline.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        threshold: 0,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'OldestMessageAge', {
        alarmName: `${prefix}-oldest-message-age`,
        alarmDescription: `The oldest ${pipeline.definition.name} task has waited over ${ageSeconds} s; the consumer is failing, throttled or too slow.`,
        metric: pipeline.queue.metricApproximateAgeOfOldestMessage({
          period,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: ageSeconds,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ConsumerErrors', {
        alarmName: `${prefix}-consumer-errors`,
        alarmDescription: `The ${pipeline.definition.name} consumer failed whole invocations; records failing one by one do not count here.`,
        metric: consumer.metricErrors({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ConsumerThrottles', {
        alarmName: `${prefix}-consumer-throttles`,
        alarmDescription: `The ${pipeline.definition.name} consumer was throttled; check the account's Lambda concurrency.`,
        metric: consumer.metricThrottles({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of this.alarms) {
      notify(alarm, props.topic);
    }
  }
}

/** Props of {@link ApiAlarms}. */
export interface ApiAlarmsProps {
  readonly api: apigateway.RestApi;
  /** Topic that every alarm notifies when it fires and when it clears. */
  readonly topic: sns.ITopic;
  /**
   * Fraction of requests, from 0 to 1, that end in a 5XX status, above
   * which the alarm fires.
   * @default 0.05
   */
  readonly serverErrorRate?: number;
}

/**
 * Alarm on the API's server error rate. It fires when two of three
 * five-minute periods are above the rate, so that one failed request in a
 * quiet period does not page anyone.
 */
export class ApiAlarms extends Construct {
  readonly serverErrors: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);

    const rate = props.serverErrorRate ?? 0.05;
    if (!Number.isFinite(rate) || rate <= 0 || rate >= 1) {
      throw new Error(
        `serverErrorRate is ${rate}; set a fraction between 0 and 1, such as 0.05`,
      );
    }

    // The Average of 5XXError is the fraction of requests with a 5XX status.
    this.serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      alarmName: `${RESOURCE_PREFIX}-api-5xx-rate`,
      alarmDescription: `Over ${rate * 100}% of API requests end in a 5XX status; check the ingest function's logs.`,
      metric: props.api.metricServerError({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.AVERAGE,
      }),
      threshold: rate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(this.serverErrors, props.topic);
  }
}
