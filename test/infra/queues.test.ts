import { Match } from 'aws-cdk-lib/assertions';
import {
  DLQ_RETENTION_SECONDS,
  queueSettingsOf,
} from '../../functions/shared/resources';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import {
  arnOf,
  findResourceBy,
  resourcesOfType,
  synthesizeStack,
} from './stack-template';

const template = synthesizeStack();

describe.each(TASK_CLASSES)('$name queues', (definition) => {
  const settings = queueSettingsOf(definition);

  it('creates a FIFO queue with content-based deduplication', () => {
    // Act
    const [, queue] = findResourceBy(
      template,
      'AWS::SQS::Queue',
      'QueueName',
      settings.queueName,
    );

    // Assess
    expect(queue.Properties.FifoQueue).toBe(true);
    expect(queue.Properties.ContentBasedDeduplication).toBe(true);
  });

  it('creates a FIFO dead-letter queue kept 14 days', () => {
    // Act
    const [, dlq] = findResourceBy(
      template,
      'AWS::SQS::Queue',
      'QueueName',
      settings.dlqName,
    );

    // Assess
    expect(dlq.Properties.FifoQueue).toBe(true);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(DLQ_RETENTION_SECONDS);
    expect(DLQ_RETENTION_SECONDS).toBe(14 * 86_400);
  });

  it('redrives after retries plus one receives', () => {
    // Prepare
    const [dlqId] = findResourceBy(
      template,
      'AWS::SQS::Queue',
      'QueueName',
      settings.dlqName,
    );

    // Act
    const [, queue] = findResourceBy(
      template,
      'AWS::SQS::Queue',
      'QueueName',
      settings.queueName,
    );

    // Assess
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(dlqId),
      maxReceiveCount: definition.retries + 1,
    });
  });
});

describe('every queue', () => {
  const queues = Object.entries(resourcesOfType(template, 'AWS::SQS::Queue'));

  it('counts one queue and one DLQ per class', () => {
    // Assess
    expect(queues).toHaveLength(2 * TASK_CLASSES.length);
  });

  it.each(queues)('%s uses SQS-managed encryption', (_id, queue) => {
    // Assess
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
  });

  it.each(queues)('%s denies requests without TLS', (queueId) => {
    // Assess
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
