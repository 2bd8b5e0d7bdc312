import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createConsumer,
  parseRecord,
} from '../../functions/consumers/consumer';
import { taskIdFor } from '../../functions/shared/business-key';
import {
  businessKeyOf,
  notification,
} from '../../functions/shared/task-classes';
import { lambdaContext } from '../support/api-event';

const sqs = mockClient(SQSClient);
const documents = mockClient(DynamoDBDocumentClient);

const task = {
  notificationId: 'ntf-1',
  recipient: 'asha@example.com',
  channel: 'email' as const,
  template: 'receipt',
  data: {},
};

const recordOf = (
  body: string,
  attempt: number,
  group = 'notification_ntf-1',
  id = 'm-1',
): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(attempt),
    SentTimestamp: '0',
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: '0',
    MessageGroupId: group,
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:ap-south-1:123456789012:ekbar-notification.fifo',
  awsRegion: 'ap-south-1',
});

const envelopeOf = (payload = task) => {
  const businessKey = businessKeyOf(notification, payload);
  return JSON.stringify({
    taskId: taskIdFor(businessKey),
    class: 'notification',
    businessKey,
    acceptedAt: '2026-12-04T00:00:00.000Z',
    payload,
  });
};

beforeAll(() => {
  Object.assign(process.env, {
    EKBAR_TASKS_TABLE: 'ekbar-tasks',
    EKBAR_IDEMPOTENCY_TABLE: 'ekbar-idempotency',
    EKBAR_QUEUE_URL: 'http://127.0.0.1:1/q/ekbar-notification.fifo',
    EKBAR_DLQ_URL: 'http://127.0.0.1:1/q/ekbar-notification-dlq.fifo',
    EKBAR_PROTECTION: 'off',
  });
});

beforeEach(() => {
  sqs.reset();
  documents.reset();
});

describe('parseRecord', () => {
  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['not an envelope', '{"a":1}', 'not a task envelope'],
    [
      'another class',
      envelopeOf().replace('"class":"notification"', '"class":"payment"'),
      'payment task on the notification queue',
    ],
    [
      'a tampered payload',
      envelopeOf().replace('asha@example.com', 'eve@example.com'),
      'does not match its payload',
    ],
  ])('rejects %s as poison', (_, body, reason) => {
    expect(() => parseRecord(notification, recordOf(body, 1))).toThrow(reason);
  });
});

describe('createConsumer', () => {
  const failing = () =>
    createConsumer(notification, async () => {
      throw new Error('provider timed out');
    });

  it('hides a failed record for the next backoff step', async () => {
    const response = await failing()(
      { Records: [recordOf(envelopeOf(), 2)] },
      lambdaContext('consumer-notification'),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const change = sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0]
      .input;
    expect(change?.VisibilityTimeout).toBe(4);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('dead-letters after the last retry with the reason', async () => {
    documents.on(UpdateCommand).resolves({});

    const response = await failing()(
      { Records: [recordOf(envelopeOf(), 4)] },
      lambdaContext('consumer-notification'),
    );

    expect(response.batchItemFailures).toEqual([]);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toContain('dlq');
    expect(sent?.MessageAttributes?.['ekbar-reason']?.StringValue).toBe(
      'failed after 4 attempts: Error: provider timed out',
    );
    const update = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ExpressionAttributeValues?.[':status']).toBe(
      'dead-lettered',
    );
  });

  it('returns the rest of a failed group unprocessed and releases it', async () => {
    let calls = 0;
    const handler = createConsumer(notification, async () => {
      calls += 1;
      throw new Error('down');
    });
    const second = { ...task, notificationId: 'ntf-2' };

    const response = await handler(
      {
        Records: [
          recordOf(envelopeOf(), 1, 'g-1', 'm-1'),
          recordOf(envelopeOf(second), 1, 'g-1', 'm-2'),
        ],
      },
      lambdaContext('consumer-notification'),
    );

    expect(calls).toBe(1);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'm-1',
      'm-2',
    ]);
    const release = sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]
      ?.args[0].input;
    expect(release?.Entries?.map((e) => e.ReceiptHandle)).toEqual(['rh-m-2']);
  });
});
