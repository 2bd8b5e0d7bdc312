import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR,
  ENV,
  RESOURCE_PREFIX,
} from '../functions/shared/resources';
import {
  notification,
  payment,
  TASK_CLASSES,
  type TaskClassDefinition,
} from '../functions/shared/task-classes';
import { ApiAlarms, PipelineAlarms } from './constructs/alarms';
import { OperationsDashboard } from './constructs/dashboard';
import { DataTables } from './constructs/data-tables';
import { IngestFunction } from './constructs/ingest-function';
import { TaskApi, type TaskApiProps } from './constructs/task-api';
import { TaskPipeline } from './constructs/task-pipeline';
import { acknowledgeNagFindings } from './nag';

/** Props of the {@link EkbarStack}. */
export interface EkbarStackProps extends StackProps {
  /**
   * Amount in minor units (paise for INR) above which the payment
   * consumer holds a payment for manual review.
   * @default DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR (₹1,00,000)
   */
  readonly paymentReviewLimitMinor?: number;
  /**
   * Base HTTPS URL of the notification provider, without a trailing
   * slash, because the consumer posts each message to `<url>/messages`.
   * @default - none: synthesis warns, and the notification consumer
   * dead-letters every task; required when `production` is true
   */
  readonly notificationProviderUrl?: string;
  /**
   * Whether the stack serves real traffic, which makes
   * `notificationProviderUrl` required.
   * @default false
   */
  readonly production?: boolean;
  /** Throttling and quota of the API. @default - as in TaskApiProps */
  readonly apiLimits?: Pick<
    TaskApiProps,
    'rateLimitPerSecond' | 'burstLimit' | 'dailyQuota' | 'manageCloudWatchRole'
  >;
  /**
   * Age in seconds of a class's oldest queued task that fires its alarm.
   * @default 300
   */
  readonly oldestMessageAgeSeconds?: number;
  /**
   * How long function and access log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Returns `Payment` for `payment` and `HealthRecord` for `health-record`. */
const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const validateReviewLimit = (limit: number): void => {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new Error(
      `paymentReviewLimitMinor is ${limit}; set a positive integer number of minor units, such as ${DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR}`,
    );
  }
};

const validateProviderUrl = (value: string): void => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `notificationProviderUrl "${value}" is not a valid URL; set an absolute https:// URL`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new Error(
      `notificationProviderUrl "${value}" uses ${url.protocol}; set an https:// URL`,
    );
  }
  if (value.endsWith('/')) {
    throw new Error(
      `notificationProviderUrl "${value}" ends with "/"; remove it, because the consumer appends /messages`,
    );
  }
};

/**
 * The whole service, made of the task API and its ingest function, one
 * queue, dead-letter queue and consumer per task class, the DynamoDB
 * tables, and alarms that notify the `ekbar-alarms` topic.
 */
export class EkbarStack extends Stack {
  readonly tables: DataTables;
  readonly pipelines: readonly TaskPipeline[];
  readonly ingest: IngestFunction;
  readonly taskApi: TaskApi;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: EkbarStackProps = {}) {
    super(scope, id, props);

    const classEnvironments = this.classEnvironments(props);
    this.tables = new DataTables(this, 'Tables');
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${RESOURCE_PREFIX}-alarms`,
      enforceSSL: true,
    });

    this.pipelines = TASK_CLASSES.map((definition) =>
      this.addPipeline(
        definition as TaskClassDefinition<unknown>,
        classEnvironments.get(definition.name),
        props,
      ),
    );
    this.ingest = new IngestFunction(this, 'Ingest', {
      tables: this.tables.tables,
      pipelines: this.pipelines,
      logRetention: props.logRetention,
    });
    this.taskApi = new TaskApi(this, 'TaskApi', {
      handler: this.ingest.lambdaFunction,
      logRetention: props.logRetention,
      ...props.apiLimits,
    });
    new OperationsDashboard(this, 'Operations', { pipelines: this.pipelines });
    new ApiAlarms(this, 'ApiAlarms', {
      api: this.taskApi.api,
      topic: this.alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.taskApi.api.url,
      description:
        'Base URL of the task API; append v1/tasks/<class or task id>.',
    });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.taskApi.apiKey.keyId,
      description:
        'Id of the default API key; read its value with aws apigateway get-api-key --include-value.',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });

    acknowledgeNagFindings({
      functions: [
        this.ingest,
        ...this.pipelines.map((pipeline) => pipeline.consumer),
      ],
      taskApi: this.taskApi,
    });
  }

  /** Variables that only one class's consumer reads, keyed by class name. */
  private classEnvironments(
    props: EkbarStackProps,
  ): Map<string, Record<string, string>> {
    const reviewLimit =
      props.paymentReviewLimitMinor ?? DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR;
    validateReviewLimit(reviewLimit);
    const environments = new Map<string, Record<string, string>>([
      [payment.name, { [ENV.paymentReviewLimit]: String(reviewLimit) }],
    ]);

    const providerUrl = props.notificationProviderUrl;
    if (providerUrl !== undefined) {
      validateProviderUrl(providerUrl);
      environments.set(notification.name, {
        [ENV.notificationProviderUrl]: providerUrl,
      });
    } else if (props.production) {
      throw new Error(
        'notificationProviderUrl is missing; a production stack needs the https:// URL of the notification provider, so pass -c notificationProviderUrl=https://...',
      );
    } else {
      Annotations.of(this).addWarningV2(
        'ekbar:EkbarStack.notificationProviderUrl',
        'notificationProviderUrl is not set, so the notification consumer dead-letters every task; pass -c notificationProviderUrl=https://...',
      );
    }
    return environments;
  }

  private addPipeline(
    definition: TaskClassDefinition<unknown>,
    classEnvironment: Record<string, string> | undefined,
    props: EkbarStackProps,
  ): TaskPipeline {
    const id = pascalCase(definition.name);
    const pipeline = new TaskPipeline(this, `${id}Pipeline`, {
      definition,
      tables: this.tables.tables,
      classEnvironment,
      logRetention: props.logRetention,
    });
    new PipelineAlarms(this, `${id}Alarms`, {
      pipeline,
      topic: this.alarmTopic,
      oldestMessageAgeSeconds: props.oldestMessageAgeSeconds,
    });

    new CfnOutput(this, `${id}QueueUrl`, {
      value: pipeline.queue.queueUrl,
      description: `Queue of ${definition.name} tasks.`,
    });
    new CfnOutput(this, `${id}DeadLetterQueueUrl`, {
      value: pipeline.deadLetterQueue.queueUrl,
      description: `Dead-letter queue of ${definition.name} tasks.`,
    });
    return pipeline;
  }
}
