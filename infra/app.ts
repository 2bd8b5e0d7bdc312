import { App, Tags } from 'aws-cdk-lib';
import { RESOURCE_PREFIX } from '../functions/shared/resources';
import { EkbarStack } from './ekbar-stack';
import { addNagChecks } from './nag';

/**
 * Region of the service unless `-c region=...` names another.
 * CDK_DEFAULT_REGION is not a fallback: the CLI sets it from the AWS
 * profile, and to us-east-1 when no region is configured (aws-cdk 2.1149).
 */
export const DEFAULT_REGION = 'ap-south-1';

/** Returns a context value given as `-c key=value` or in cdk.json. */
const contextString = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
};

const contextInteger = (app: App, key: string): number | undefined => {
  const raw = contextString(app, key);
  if (raw === undefined) {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new Error(
      `context value ${key} is "${raw}"; pass an integer, such as -c ${key}=10000000`,
    );
  }
  return value;
};

const contextBoolean = (app: App, key: string): boolean => {
  const raw = contextString(app, key);
  if (raw === undefined || raw === 'false') {
    return false;
  }
  if (raw === 'true') {
    return true;
  }
  throw new Error(
    `context value ${key} is "${raw}"; pass -c ${key}=true or -c ${key}=false`,
  );
};

const app = new App();
new EkbarStack(app, 'Ekbar', {
  description: 'Exactly-once background tasks: API, SQS FIFO, Lambda, DynamoDB',
  // The account stays unresolved unless the CLI provides one from the AWS
  // profile, so that `cdk synth` works without credentials.
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: contextString(app, 'region') ?? DEFAULT_REGION,
  },
  production: contextBoolean(app, 'production'),
  notificationProviderUrl: contextString(app, 'notificationProviderUrl'),
  paymentReviewLimitMinor: contextInteger(app, 'paymentReviewLimitMinor'),
});
Tags.of(app).add('project', RESOURCE_PREFIX);

// Every synthesis runs the checks, not only the infrastructure tests, so
// that no deployment carries an unacknowledged finding.
addNagChecks(app);
