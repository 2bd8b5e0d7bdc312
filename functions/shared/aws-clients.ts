import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Client settings for every AWS call. Short timeouts let a function fail and
 * retry through its queue's backoff instead of hanging until the Lambda
 * timeout when a service is unreachable. The endpoint comes from the
 * standard AWS_ENDPOINT_URL variable, which the SDK reads itself.
 */
const clientConfig = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

export const dynamodbClient = new DynamoDBClient(clientConfig);

export const documentClient = DynamoDBDocumentClient.from(dynamodbClient, {
  marshallOptions: { removeUndefinedValues: true },
});

export const sqsClient = new SQSClient(clientConfig);

/** Returns the value of a required environment variable, or throws. */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `environment variable ${name} is not set; the stack or the local runtime must set it`,
    );
  }
  return value;
};
