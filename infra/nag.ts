import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { TaskApi } from './constructs/task-api';
import type { TaskFunction } from './constructs/task-function';

/** The constructs of the stack that have accepted cdk-nag findings. */
export interface NagScope {
  /** Every Lambda function of the stack. */
  readonly functions: readonly TaskFunction[];
  readonly taskApi: TaskApi;
}

/**
 * AwsSolutions-IAM4 finding id of the managed policy that API Gateway's
 * CloudWatch role uses.
 */
const API_GATEWAY_LOGS_POLICY =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]';

const REASONS = {
  lambdaRuntime:
    'The functions run on nodejs22.x, the runtime that their esbuild bundles target. The rule asks for the newest Node.js runtime that aws-cdk-lib lists, and moving to it changes the bundle target and needs the handlers tested on that version first.',
  apiGatewayLogsRole:
    'API Gateway uses this one role for the logs of every REST API in the account and region, so it needs the managed policy that AWS documents for it, which covers all log groups.',
  requestValidation:
    'The ingest function validates each body against the schema of its task class and returns application/problem+json naming the field at fault. An API Gateway validator would repeat those schemas and reject requests in a second error format. The methods declare no request parameter besides the path parameter, which routing already requires, and the function checks the headers.',
  waf: 'No AWS WAF web ACL is attached. Every method requires an API key, the usage plan throttles and caps each key, and the stage throttles every method. A deployment open to the internet should associate a web ACL with the stage.',
  authorizer:
    'The API key is the credential of every method (ApiKeyRequired), and its id scopes idempotency keys and the tasks a caller can read. AWS advises against API keys as the only authorization, so production should add IAM authorization or a Lambda authorizer.',
  cognito:
    'Callers are services identified by their API key, not users of a Cognito user pool.',
} as const;

/** Acknowledges a rule on the CloudFormation resource of a construct. */
const acknowledge = (construct: IConstruct, id: string, reason: string) => {
  const resource = construct.node.defaultChild ?? construct;
  Validations.of(resource).acknowledge({ id, reason });
};

/**
 * Acknowledges the AwsSolutions findings that the stack accepts, each on
 * the one resource it concerns and with the reason. Every other finding
 * fails synthesis, because the app runs the AwsSolutions checks.
 */
export const acknowledgeNagFindings = (scope: NagScope): void => {
  for (const taskFunction of scope.functions) {
    acknowledge(
      taskFunction.lambdaFunction,
      'AwsSolutions-L1',
      REASONS.lambdaRuntime,
    );
  }

  const { api } = scope.taskApi;
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      API_GATEWAY_LOGS_POLICY,
      REASONS.apiGatewayLogsRole,
    );
  }
  acknowledge(api, 'AwsSolutions-APIG2', REASONS.requestValidation);
  acknowledge(api.deploymentStage, 'AwsSolutions-APIG3', REASONS.waf);
  for (const method of api.methods) {
    acknowledge(method, 'AwsSolutions-APIG4', REASONS.authorizer);
    acknowledge(method, 'AwsSolutions-COG4', REASONS.cognito);
  }
};

/**
 * Runs the cdk-nag AwsSolutions checks whenever the app synthesizes, so
 * that `cdk synth` and `cdk deploy` stop on an unacknowledged finding and
 * print the report.
 */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
