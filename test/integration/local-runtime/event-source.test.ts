import { createHash, randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  type EventSourceOptions,
  SqsEventSource,
} from '../../../scripts/local/event-source';
import { FunctionPool } from '../../../scripts/local/function-pool';
import {
  startTestEnvironment,
  type TestEnvironment,
} from '../../support/emulator';
import {
  FixtureBundles,
  SQS_CONSUMER_HANDLER,
  silentLogger,
  waitFor,
} from './fixtures';

interface TestQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
}

const bundles = new FixtureBundles();
let environment: TestEnvironment;
let sqs: SQSClient;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  environment = await startTestEnvironment();
  sqs = new SQSClient({});
});

afterEach(async () => {
  // Event sources first, so that no batch waits on a stopped function.
  for (const component of running.splice(0).reverse()) {
    await component.stop();
  }
});

afterAll(async () => {
  await environment.stop();
  bundles.remove();
});

const queueArnOf = async (queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn'],
    }),
  );
  return Attributes?.QueueArn as string;
};

/** Creates a FIFO queue and its DLQ with a short visibility timeout. */
const createQueues = async (options: {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}): Promise<TestQueues> => {
  const name = `local-runtime-${randomUUID().slice(0, 8)}`;
  const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'true' };
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: fifo }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        ...fifo,
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await queueArnOf(dlqUrl),
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl as string;
  return { queueUrl, queueArn: await queueArnOf(queueUrl), dlqUrl };
};

const sendAction = async (
  queueUrl: string,
  body: Record<string, unknown>,
  options: {
    group?: string;
    attributes?: Record<string, MessageAttributeValue>;
  } = {},
): Promise<string> => {
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ ...body, nonce: randomUUID() }),
      MessageGroupId: options.group ?? randomUUID(),
      MessageAttributes: options.attributes,
    }),
  );
  return sent.MessageId as string;
};

/** A consumer pool plus an event source that records every event. */
const startConsumer = async (
  queues: TestQueues,
  overrides: Partial<EventSourceOptions> = {},
) => {
  const pool = new FunctionPool({
    functionName: 'consumer-fixture',
    bundleDir: bundles.write(`consumer-${randomUUID()}`, SQS_CONSUMER_HANDLER),
    timeoutSeconds: 5,
    memorySizeMb: 128,
    environment: {},
    concurrency: 1,
    output: () => undefined,
    logger: silentLogger,
  });
  running.push(pool);
  await pool.start();

  const events: SQSEvent[] = [];
  const source = new SqsEventSource({
    functionName: 'consumer-fixture',
    queueUrl: queues.queueUrl,
    batchSize: 10,
    pollers: 1,
    waitTimeSeconds: 1,
    invoke: (event) => {
      events.push(event);
      return pool.invoke(event);
    },
    sqs,
    logger: silentLogger,
    ...overrides,
  });
  running.push(source);
  await source.start();

  const receiptsOf = (messageId: string): SQSRecord[] =>
    events
      .flatMap((event) => event.Records)
      .filter((record) => record.messageId === messageId);
  return { pool, source, events, receiptsOf };
};

const receiveFrom = async (queueUrl: string) => {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
};

describe('SqsEventSource event', () => {
  it('builds a Lambda SQS record', async () => {
    // Prepare
    const queues = await createQueues({
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 3,
    });
    const messageId = await sendAction(
      queues.queueUrl,
      { action: 'ok' },
      {
        group: 'customer-9',
        attributes: {
          traceId: { DataType: 'String', StringValue: 'trace-1' },
          attempt: { DataType: 'Number', StringValue: '2' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('bytes') },
        },
      },
    );

    // Act
    const consumer = await startConsumer(queues);
    const [record] = await waitFor(
      () => {
        const receipts = consumer.receiptsOf(messageId);
        return receipts.length > 0 ? receipts : undefined;
      },
      10_000,
      'the message to reach the consumer',
    );

    // Assess
    expect(record?.messageId).toBe(messageId);
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(record?.md5OfBody).toBe(
      createHash('md5')
        .update(record?.body ?? '')
        .digest('hex'),
    );
    expect(record?.eventSource).toBe('aws:sqs');
    expect(record?.eventSourceARN).toBe(queues.queueArn);
    expect(record?.awsRegion).toBe('ap-south-1');
    expect(record?.attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      MessageGroupId: 'customer-9',
      MessageDeduplicationId: expect.any(String),
      SentTimestamp: expect.stringMatching(/^\d+$/),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      SenderId: expect.any(String),
    });
    expect(record?.messageAttributes).toEqual({
      traceId: {
        stringValue: 'trace-1',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      },
      attempt: {
        stringValue: '2',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'Number',
      },
      blob: {
        binaryValue: Buffer.from('bytes').toString('base64'),
        stringListValues: [],
        binaryListValues: [],
        dataType: 'Binary',
      },
    });
  });

  it('limits a batch to batchSize records', async () => {
    const queues = await createQueues({
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 3,
    });
    for (let index = 0; index < 3; index += 1) {
      await sendAction(queues.queueUrl, { action: 'ok' }, { group: 'one' });
    }

    const consumer = await startConsumer(queues, { batchSize: 2 });
    await waitFor(
      () => (consumer.source.stats.deleted === 3 ? true : undefined),
      10_000,
      'three deletes',
    );

    expect(consumer.events.map((event) => event.Records.length)).toEqual([
      2, 1,
    ]);
  });
});

describe('SqsEventSource acknowledgement', () => {
  it('deletes successes and keeps failures', async () => {
    // Prepare
    const queues = await createQueues({
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 5,
    });
    const okId = await sendAction(queues.queueUrl, { action: 'ok' });
    const failId = await sendAction(queues.queueUrl, { action: 'fail' });

    // Act
    const consumer = await startConsumer(queues);
    await waitFor(
      () => (consumer.receiptsOf(failId).length >= 2 ? true : undefined),
      15_000,
      'the failed message to be received again',
    );

    // Assess
    expect(consumer.receiptsOf(okId)).toHaveLength(1);
    expect(consumer.receiptsOf(failId)[1]?.attributes).toMatchObject({
      ApproximateReceiveCount: '2',
    });
    expect(consumer.source.stats.deleted).toBe(1);
  });

  it('moves an always failing message to the DLQ', async () => {
    // Prepare
    const queues = await createQueues({
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 2,
    });
    const failId = await sendAction(queues.queueUrl, { action: 'fail' });

    // Act
    const consumer = await startConsumer(queues);
    const deadLetters = await waitFor(
      async () => {
        const messages = await receiveFrom(queues.dlqUrl);
        return messages.length > 0 ? messages : undefined;
      },
      20_000,
      'the message to reach the DLQ',
    );

    // Assess
    expect(deadLetters.map((message) => message.MessageId)).toEqual([failId]);
    expect(
      consumer
        .receiptsOf(failId)
        .map((record) => record.attributes.ApproximateReceiveCount),
    ).toEqual(['1', '2']);
    expect(consumer.source.stats.deleted).toBe(0);
  });

  it('deletes nothing after an invalid response', async () => {
    const queues = await createQueues({
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 5,
    });
    // Separate groups: moto 5.2.1 redelivers only the last message of a
    // group that was received as a whole batch, so one group would starve.
    const okId = await sendAction(queues.queueUrl, { action: 'ok' });
    const invalidId = await sendAction(queues.queueUrl, {
      action: 'unknown-id',
    });

    const consumer = await startConsumer(queues);
    await waitFor(
      () => (consumer.receiptsOf(okId).length >= 2 ? true : undefined),
      15_000,
      'the successful record to be received again',
    );

    const firstBatch = consumer.events[0]?.Records.map(
      (record) => record.messageId,
    );
    expect(firstBatch?.sort()).toEqual([okId, invalidId].sort());
    expect(consumer.source.stats.invalidResponses).toBeGreaterThanOrEqual(1);
    expect(consumer.source.stats.deleted).toBe(0);
  });

  it('deletes nothing when the invocation fails', async () => {
    const queues = await createQueues({
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 5,
    });
    const throwId = await sendAction(queues.queueUrl, { action: 'throw' });

    const consumer = await startConsumer(queues);
    await waitFor(
      () => (consumer.receiptsOf(throwId).length >= 2 ? true : undefined),
      15_000,
      'the message to be received again',
    );

    expect(consumer.source.stats.failedInvocations).toBeGreaterThanOrEqual(1);
    expect(consumer.source.stats.deleted).toBe(0);
  });

  it('redelivers a batch whose consumer was killed', async () => {
    // Prepare
    const queues = await createQueues({
      visibilityTimeoutSeconds: 2,
      maxReceiveCount: 5,
    });
    const slowId = await sendAction(queues.queueUrl, {
      action: 'sleep',
      ms: 1_500,
    });
    const consumer = await startConsumer(queues);
    const [instance] = await waitFor(
      () => {
        const busy = consumer.pool.busyInstances;
        return busy.length > 0 ? busy : undefined;
      },
      10_000,
      'the consumer to start the batch',
    );

    // Act
    instance?.kill('SIGKILL');
    await waitFor(
      () => (consumer.source.stats.deleted === 1 ? true : undefined),
      15_000,
      'the redelivered message to be deleted',
    );

    // Assess
    expect(consumer.source.stats.failedInvocations).toBe(1);
    expect(
      consumer
        .receiptsOf(slowId)
        .map((record) => record.attributes.ApproximateReceiveCount),
    ).toEqual(['1', '2']);
  });
});

describe('SqsEventSource stop', () => {
  it('returns within a second during a long poll', async () => {
    const queues = await createQueues({
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 3,
    });
    const consumer = await startConsumer(queues, { waitTimeSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const startedAt = Date.now();

    await consumer.source.stop();

    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('rejects a batch size above 10', () => {
    expect(
      () =>
        new SqsEventSource({
          functionName: 'consumer-fixture',
          queueUrl: 'http://127.0.0.1:9/queue',
          batchSize: 11,
          invoke: async () => null,
        }),
    ).toThrow('batchSize of consumer-fixture must be an integer from 1 to 10');
  });
});
