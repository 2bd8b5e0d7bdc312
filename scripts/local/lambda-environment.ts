import { randomBytes } from 'node:crypto';
import { FUNCTION_SERVICE_NAME } from '../../functions/shared/resources';

export { FUNCTION_SERVICE_NAME };

/** Account id that moto and LocalStack use by default. */
export const LOCAL_ACCOUNT_ID = '123456789012';

/** Region used when AWS_REGION is not set, the region the stack deploys to. */
export const DEFAULT_REGION = 'ap-south-1';

/** Settings of one function that the local Lambda runtime reads. */
export interface FunctionConfiguration {
  readonly functionName: string;
  /** Function timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Memory size in MiB; reported to the handler, not enforced. */
  readonly memorySizeMb: number;
  /** The function's own variables, as the stack sets them. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Returns the region every local function and client uses. */
export const localRegion = (): string =>
  process.env.AWS_REGION ?? DEFAULT_REGION;

/** Returns the ARN Lambda would give the function in the local account. */
export const functionArnOf = (functionName: string): string =>
  `arn:aws:lambda:${localRegion()}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;

/** Returns a log stream name in Lambda's `YYYY/MM/DD/[$LATEST]hex` form. */
export const logStreamNameOf = (now = new Date()): string => {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
};

const requireEndpoint = (): string => {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set; call useEmulatorEnvironment(endpoint) before starting local functions so they never reach real AWS',
    );
  }
  return endpoint;
};

/** Variables copied from the runtime's own environment when set. */
const PASSED_THROUGH = [
  'PATH',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_DEV',
  'POWERTOOLS_METRICS_DISABLED',
];

/**
 * Builds the complete environment of a function's process: the variables
 * the Lambda runtime defines, the emulator endpoint with dummy credentials,
 * and the function's own variables, which win on a clash. Nothing else of
 * the runtime's environment reaches the function.
 */
export const lambdaEnvironment = (
  configuration: FunctionConfiguration,
  logStreamName: string,
  taskRoot: string,
): Record<string, string> => {
  const region = localRegion();
  const passed = Object.fromEntries(
    PASSED_THROUGH.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return {
    ...passed,
    AWS_ENDPOINT_URL: requireEndpoint(),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // Lambda runs Node.js 22; the SDK's notice about Node.js 20 concerns
    // only the machine that runs the local runtime.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: configuration.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuration.memorySizeMb),
    // Not a Lambda variable; set so local tools can read the timeout.
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(configuration.timeoutSeconds),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${configuration.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    LAMBDA_TASK_ROOT: taskRoot,
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    POWERTOOLS_SERVICE_NAME: FUNCTION_SERVICE_NAME,
    ...configuration.environment,
  };
};
