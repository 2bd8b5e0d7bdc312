import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { queueSettingsOf } from '../functions/shared/resources';
import type { TaskClassDefinition } from '../functions/shared/task-classes';

/**
 * Clients of the services that only the CLI calls. Like every SDK client
 * they take credentials, region and endpoint (AWS_ENDPOINT_URL) from the
 * standard AWS settings. DynamoDB calls go through the functions' shared
 * document client so that both write items the same way.
 */
export const cloudWatchClient = new CloudWatchClient({});
export const stsClient = new STSClient({});

/**
 * SQS client with the SDK's default timeouts; the functions' own client
 * times out after 3 s, shorter than a long poll may take.
 */
export const cliSqsClient = new SQSClient({});

/** Role of a queue: a class's task queue or its dead-letter queue. */
export type QueueRole = 'queue' | 'dead-letter queue';

const queueUrls = new Map<string, string>();

/** Looks up the URL of a class's queue or dead-letter queue by its name. */
export const queueUrlOf = async (
  definition: TaskClassDefinition<unknown>,
  role: QueueRole,
): Promise<string> => {
  const settings = queueSettingsOf(definition);
  const queueName = role === 'queue' ? settings.queueName : settings.dlqName;
  const cached = queueUrls.get(queueName);
  if (cached) {
    return cached;
  }
  const { QueueUrl } = await cliSqsClient.send(
    new GetQueueUrlCommand({ QueueName: queueName }),
  );
  if (!QueueUrl) {
    throw new Error(`SQS returned no URL for queue ${queueName}`);
  }
  queueUrls.set(queueName, QueueUrl);
  return QueueUrl;
};
