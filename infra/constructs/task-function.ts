import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  FUNCTION_SERVICE_NAME,
  RESOURCE_PREFIX,
} from '../../functions/shared/resources';
import { bundleDirOf, FUNCTION_ENTRIES } from '../../scripts/bundle';

/** Namespace of the metrics that the Powertools Metrics utility emits. */
export const METRICS_NAMESPACE = 'ekbar';

/** Props of a {@link TaskFunction}. */
export interface TaskFunctionProps {
  /**
   * Function name in FUNCTION_ENTRIES of scripts/bundle.ts, for example
   * `ingest` or `consumer-payment`. The code comes from
   * `dist/functions/<name>`.
   */
  readonly bundleName: string;
  /** Timeout in seconds, 1 to 900. */
  readonly timeoutSeconds: number;
  /** Memory in MiB, 128 to 10,240. */
  readonly memorySizeMb: number;
  /** Variables that the handler reads, besides the Powertools settings. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

const requireIntegerIn = (
  label: string,
  value: number,
  min: number,
  max: number,
): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${label} is ${value}; set an integer from ${min} to ${max}`,
    );
  }
};

/**
 * One Lambda function of the project, on Node.js 22 and arm64, running
 * the esbuild bundle of its entry, with its own log group, its own role
 * and the Powertools settings. The function name is
 * `ekbar-<bundleName>`.
 */
export class TaskFunction extends Construct {
  readonly lambdaFunction: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /**
   * Execution role. It may write to the function's own log group, and
   * the owner of the construct grants everything else.
   */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    super(scope, id);

    if (!(props.bundleName in FUNCTION_ENTRIES)) {
      throw new Error(
        `bundleName "${props.bundleName}" is not a bundled function; use one of ${Object.keys(FUNCTION_ENTRIES).join(', ')}`,
      );
    }
    requireIntegerIn(
      `timeoutSeconds of ${props.bundleName}`,
      props.timeoutSeconds,
      1,
      900,
    );
    requireIntegerIn(
      `memorySizeMb of ${props.bundleName}`,
      props.memorySizeMb,
      128,
      10_240,
    );

    const functionName = `${RESOURCE_PREFIX}-${props.bundleName}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // A role of our own replaces the AWSLambdaBasicExecutionRole managed
    // policy, which allows writing to every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    this.logGroup.grantWrite(this.role);
    this.lambdaFunction = new lambda.Function(this, 'Function', {
      functionName,
      role: this.role,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(bundleDirOf(props.bundleName)),
      handler: 'index.handler',
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memorySizeMb,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        // The same service for every function, as in the local runtime, so
        // that metrics carry the same `service` dimension in both.
        POWERTOOLS_SERVICE_NAME: FUNCTION_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
  }
}
