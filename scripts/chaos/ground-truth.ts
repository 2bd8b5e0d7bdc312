import {
  type AttributeValue,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DLQ_ATTRIBUTES } from '../../functions/consumers/dead-letter';
import { taskIdFor } from '../../functions/shared/business-key';
import { TABLES } from '../../functions/shared/resources';
import type { ProviderSnapshot } from '../local/mock-provider';
import type { ClassQueues } from '../local/provision';

/** Effects of one task found in a store, with the time of the first one. */
export interface EffectCount {
  count: number;
  /** Epoch milliseconds of the earliest effect, from the store's own time. */
  firstAtMs: number;
}

/** Contents of the stores after a run, indexed for the checker. */
export interface GroundTruth {
  /** Ledger entries per task id (two per applied payment). */
  readonly ledgerEntries: Map<string, EffectCount>;
  /** Payments held for review, by task id. */
  readonly heldPayments: Set<string>;
  /** `created` audit entries per task id. */
  readonly auditCreated: Map<string, EffectCount>;
  /** Provider deliveries per notification id. */
  readonly deliveries: Map<string, EffectCount>;
  /** Analytics counter values by counter partition key. */
  readonly counters: Map<string, number>;
  /** Task ids with an analytics marker (the effect was applied). */
  readonly analyticsMarkers: Set<string>;
  /** Status records by task id. */
  readonly tasks: Map<string, { status: string; updatedAtMs: number }>;
  /** Dead-lettered task ids with the reason of their first dead letter. */
  readonly deadLetters: Map<string, string>;
  /** POST requests the provider received and repeats it replayed. */
  readonly provider: { posts: number; replays: number };
}

/** Reason reported for a message that SQS moved to the DLQ by itself. */
export const REDRIVE_REASON = 'exceeded maxReceiveCount';

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'ap-south-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

const scanAll = async (
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const output = await dynamodb.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    for (const item of output.Items ?? []) {
      items.push(unmarshall(item));
    }
    startKey = output.LastEvaluatedKey;
    if (!startKey) {
      break;
    }
  }
  return items;
};

const addEffect = (
  map: Map<string, EffectCount>,
  key: string,
  at: unknown,
): void => {
  const atMs = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  const current = map.get(key);
  if (!current) {
    map.set(key, { count: 1, firstAtMs: atMs });
    return;
  }
  current.count += 1;
  if (atMs < current.firstAtMs || Number.isNaN(current.firstAtMs)) {
    current.firstAtMs = atMs;
  }
};

const readLedger = async (dynamodb: DynamoDBClient) => {
  const entries = new Map<string, EffectCount>();
  const held = new Set<string>();
  for (const item of await scanAll(dynamodb, TABLES.ledger.tableName)) {
    const sk = String(item.sk);
    if (sk.startsWith('ENTRY#')) {
      addEffect(entries, String(item.taskId), item.createdAt);
    } else if (sk === 'CLAIM' && item.status === 'held-for-review') {
      held.add(String(item.taskId));
    }
  }
  return { entries, held };
};

const readAudit = async (dynamodb: DynamoDBClient) => {
  const created = new Map<string, EffectCount>();
  for (const item of await scanAll(dynamodb, TABLES.audit.tableName)) {
    if (item.action === 'created') {
      addEffect(created, String(item.taskId), item.at);
    }
  }
  return created;
};

const readAnalytics = async (dynamodb: DynamoDBClient) => {
  const counters = new Map<string, number>();
  const markers = new Set<string>();
  for (const item of await scanAll(dynamodb, TABLES.analytics.tableName)) {
    const pk = String(item.pk);
    if (pk.startsWith('COUNTER#')) {
      counters.set(pk, Number(item.count ?? 0));
    } else if (pk.startsWith('APPLIED#')) {
      markers.add(taskIdFor(String(item.businessKey)));
    }
  }
  return { counters, markers };
};

const readTasks = async (dynamodb: DynamoDBClient) => {
  const tasks = new Map<string, { status: string; updatedAtMs: number }>();
  for (const item of await scanAll(dynamodb, TABLES.tasks.tableName)) {
    if (String(item.pk).startsWith('TASK#')) {
      tasks.set(String(item.taskId), {
        status: String(item.status),
        updatedAtMs: Date.parse(String(item.updatedAt)),
      });
    }
  }
  return tasks;
};

const readDeliveries = (snapshot: ProviderSnapshot) => {
  const deliveries = new Map<string, EffectCount>();
  for (const message of snapshot.messages) {
    const body = message.body as { notificationId?: unknown };
    addEffect(deliveries, String(body.notificationId), message.receivedAt);
  }
  return deliveries;
};

/**
 * Receives and deletes every message of the dead-letter queues and returns
 * the reason per task id. Deleting is what lets the next receive return
 * the following message of the same message group, because a FIFO queue
 * keeps a group back while one of its messages is in flight. Reading
 * stops after three empty receives in a row per queue.
 */
export const readDeadLetters = async (
  sqs: SQSClient,
  queues: readonly ClassQueues[],
): Promise<Map<string, string>> => {
  const reasons = new Map<string, string>();
  for (const queue of queues) {
    let empty = 0;
    for (let receive = 0; receive < 2_000 && empty < 3; receive += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
          MessageAttributeNames: ['All'],
        }),
      );
      empty = Messages?.length ? 0 : empty + 1;
      if (Messages?.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.dlqUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      for (const message of Messages ?? []) {
        const body = JSON.parse(message.Body ?? '{}') as { taskId?: string };
        const taskId =
          message.MessageAttributes?.[DLQ_ATTRIBUTES.taskId]?.StringValue ??
          body.taskId ??
          'unknown';
        const reason =
          message.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue ??
          REDRIVE_REASON;
        // A reasoned dead letter explains more than SQS's own redrive.
        if (!reasons.has(taskId) || reasons.get(taskId) === REDRIVE_REASON) {
          reasons.set(taskId, reason);
        }
      }
    }
  }
  return reasons;
};

/** Returns the messages left in the class queues, visible or in flight. */
export const queuedMessages = async (
  endpoint: string,
  queues: readonly ClassQueues[],
): Promise<number> => {
  const sqs = new SQSClient(clientConfig(endpoint));
  let total = 0;
  for (const queue of queues) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    total +=
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return total;
};

/** Returns the status record of every task, read from the emulator directly. */
export const readTaskStatuses = (endpoint: string) =>
  readTasks(new DynamoDBClient(clientConfig(endpoint)));

/**
 * Reads the ground truth of a run straight from the emulator at
 * `endpoint` (not through the fault proxy) and from the mock provider.
 */
export const readGroundTruth = async (
  endpoint: string,
  queues: readonly ClassQueues[],
  provider: ProviderSnapshot,
): Promise<GroundTruth> => {
  const dynamodb = new DynamoDBClient(clientConfig(endpoint));
  const ledger = await readLedger(dynamodb);
  const analytics = await readAnalytics(dynamodb);
  return {
    ledgerEntries: ledger.entries,
    heldPayments: ledger.held,
    auditCreated: await readAudit(dynamodb),
    deliveries: readDeliveries(provider),
    counters: analytics.counters,
    analyticsMarkers: analytics.markers,
    tasks: await readTasks(dynamodb),
    deadLetters: await readDeadLetters(
      new SQSClient(clientConfig(endpoint)),
      queues,
    ),
    provider: { posts: provider.postCount, replays: provider.replayCount },
  };
};
