import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  GATEWAY_PROBLEM_TYPE,
  type GatewayProblem,
  invalidApiKeyProblem,
  quotaExceededProblem,
  requestTooLargeProblem,
  throttledProblem,
  unknownRouteProblem,
} from '../../functions/shared/gateway-problems';
import { RESOURCE_PREFIX } from '../../functions/shared/resources';
import { ROUTES } from '../../functions/shared/routes';

/**
 * Stage name. The resource paths already carry the API version
 * (`/v1/tasks/...`), so a `v1` stage would give URLs like `/v1/v1/tasks`.
 */
export const API_STAGE_NAME = 'prod';

/**
 * Body of the other 4xx and 5xx responses that API Gateway sends itself,
 * the shape `gatewayProblemOf` gives them in the local runtime.
 * `messageString` is the gateway's message, already quoted as a JSON
 * string.
 * NOTE: gateway response templates have no variable for the status code
 * (`$context.status` is for access logs only), so this body lacks `status`.
 */
const GATEWAY_PROBLEM_TEMPLATE = `{"type":"${GATEWAY_PROBLEM_TYPE}","title":$context.error.messageString,"detail":$context.error.messageString}`;

const PROBLEM_HEADERS = { 'Content-Type': "'application/problem+json'" };

/** Props of a {@link TaskApi}. */
export interface TaskApiProps {
  /** Function that every route invokes through a Lambda proxy integration. */
  readonly handler: lambda.IFunction;
  /**
   * Steady request rate allowed per API key and per method, in requests
   * per second. The default is a starting value, not a measured one.
   * @default 50
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Requests allowed in a burst above the steady rate.
   * @default 100
   */
  readonly burstLimit?: number;
  /**
   * Requests allowed per API key per day.
   * @default 100000
   */
  readonly dailyQuota?: number;
  /**
   * How long access log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether to create the IAM role that lets API Gateway write logs and
   * set it in the account's API Gateway settings. Access logging fails to
   * deploy when the account has no such role. Set `false` when another
   * stack in the account and region manages it.
   * @default true
   */
  readonly manageCloudWatchRole?: boolean;
}

const requirePositive = (
  label: string,
  value: number,
  integer: boolean,
): void => {
  const valid = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!valid || value <= 0) {
    throw new Error(
      `${label} is ${value}; set a positive ${integer ? 'integer' : 'number'}`,
    );
  }
};

/**
 * The REST API that accepts tasks and reports their status. Every method
 * requires an API key. The usage plan throttles each key and caps it with
 * a daily quota, and the stage throttles every method.
 */
export class TaskApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey: apigateway.IApiKey;
  readonly accessLogGroup: logs.LogGroup;
  /**
   * Log group of the stage's execution logs. API Gateway writes to it by
   * name, and creates it without retention unless the stack has created
   * it first.
   */
  readonly executionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TaskApiProps) {
    super(scope, id);

    const rateLimit = props.rateLimitPerSecond ?? 50;
    const burstLimit = props.burstLimit ?? 100;
    const dailyQuota = props.dailyQuota ?? 100_000;
    requirePositive('rateLimitPerSecond', rateLimit, false);
    requirePositive('burstLimit', burstLimit, true);
    requirePositive('dailyQuota', dailyQuota, true);
    const manageRole = props.manageCloudWatchRole ?? true;

    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${RESOURCE_PREFIX}-tasks`,
      description: 'Accepts background tasks and reports their status.',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: manageRole,
      cloudWatchRoleRemovalPolicy: manageRole
        ? RemovalPolicy.RETAIN
        : undefined,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(
          this.accessLogGroup,
        ),
        accessLogFormat: accessLogFormat(),
        // Execution logs record errors only. Data tracing stays off,
        // because it would log request bodies, which carry payment and
        // health data.
        methodOptions: {
          '/*/*': {
            throttlingRateLimit: rateLimit,
            throttlingBurstLimit: burstLimit,
            loggingLevel: apigateway.MethodLoggingLevel.ERROR,
            dataTraceEnabled: false,
          },
        },
      },
    });
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
      retention,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);

    addGatewayProblems(this.api, { rateLimit, burstLimit, dailyQuota });

    // The API key is the only credential: it identifies the caller, whose
    // id scopes idempotency keys, and selects the usage plan. AWS advises
    // against API keys as the only authorization, so a stack that serves
    // real traffic should add IAM authorization or a Lambda authorizer.
    const integration = new apigateway.LambdaIntegration(props.handler);
    for (const route of ROUTES) {
      this.api.root
        .resourceForPath(route.resource)
        .addMethod(route.method, integration, {
          apiKeyRequired: true,
          authorizationType: apigateway.AuthorizationType.NONE,
        });
    }

    this.apiKey = this.api.addApiKey('ApiKey', {
      apiKeyName: `${RESOURCE_PREFIX}-default`,
      description: 'Key of the first client. Add one key per client.',
    });
    const usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `${RESOURCE_PREFIX}-default`,
      throttle: { rateLimit, burstLimit },
      quota: { limit: dailyQuota, period: apigateway.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    usagePlan.addApiKey(this.apiKey);
  }
}

/**
 * Gives the responses that API Gateway sends itself (missing API key,
 * unknown route, throttling, payload over 10 MB, integration failure) the
 * handler's problem+json format. The common cases get a detail that
 * states what to change, and the status code that API Gateway gives their
 * response type by default. Every other 4xx and 5xx keeps the gateway's
 * own message.
 */
const addGatewayProblems = (
  api: apigateway.RestApi,
  limits: { rateLimit: number; burstLimit: number; dailyQuota: number },
): void => {
  for (const [id, type] of [
    ['Default4xx', apigateway.ResponseType.DEFAULT_4XX],
    ['Default5xx', apigateway.ResponseType.DEFAULT_5XX],
  ] as const) {
    api.addGatewayResponse(id, {
      type,
      responseHeaders: PROBLEM_HEADERS,
      templates: { 'application/json': GATEWAY_PROBLEM_TEMPLATE },
    });
  }

  const problems: [string, apigateway.ResponseType, GatewayProblem][] = [
    // NOTE: AWS documents INVALID_API_KEY for an invalid key only. A
    // missing key gets the same 403 "Forbidden", which this type is taken
    // to cover, but no test here runs against a deployed API.
    [
      'InvalidApiKey',
      apigateway.ResponseType.INVALID_API_KEY,
      invalidApiKeyProblem(),
    ],
    // With no IAM authorization, a missing token means an unknown route.
    [
      'MissingAuthenticationToken',
      apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      unknownRouteProblem('$context.httpMethod'),
    ],
    [
      'RequestTooLarge',
      apigateway.ResponseType.REQUEST_TOO_LARGE,
      requestTooLargeProblem(),
    ],
    [
      'Throttled',
      apigateway.ResponseType.THROTTLED,
      throttledProblem(limits.rateLimit, limits.burstLimit),
    ],
    [
      'QuotaExceeded',
      apigateway.ResponseType.QUOTA_EXCEEDED,
      quotaExceededProblem(limits.dailyQuota),
    ],
  ];
  for (const [id, type, problem] of problems) {
    api.addGatewayResponse(id, {
      type,
      statusCode: String(problem.status),
      responseHeaders: PROBLEM_HEADERS,
      templates: { 'application/json': JSON.stringify(problem) },
    });
  }
};

/** One JSON line per request, with the API key id but never the key. */
const accessLogFormat = (): apigateway.AccessLogFormat =>
  apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: apigateway.AccessLogField.contextRequestId(),
      requestTime: apigateway.AccessLogField.contextRequestTime(),
      httpMethod: apigateway.AccessLogField.contextHttpMethod(),
      resourcePath: apigateway.AccessLogField.contextResourcePath(),
      status: apigateway.AccessLogField.contextStatus(),
      responseLength: apigateway.AccessLogField.contextResponseLength(),
      responseLatency: apigateway.AccessLogField.contextResponseLatency(),
      integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
      sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
      apiKeyId: apigateway.AccessLogField.contextIdentityApiKeyId(),
      errorMessage: apigateway.AccessLogField.contextErrorMessage(),
    }),
  );
