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
      maxReceiveCount: definition.retries + 2,
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

describe('every queue policy', () => {
  const policies = Object.entries(
    resourcesOfType(template, 'AWS::SQS::QueuePolicy'),
  );

  it('counts one per queue', () => {
    // Assess
    expect(policies).toHaveLength(2 * TASK_CLASSES.length);
  });

  it.each(policies)('%s denies requests without TLS', (_id, policy) => {
    // Prepare
    const document = policy.Properties.PolicyDocument as {
      Statement: Record<string, unknown>[];
    };

    // Act
    const denials = document.Statement.filter(
      (statement) =>
        statement.Effect === 'Deny' &&
        JSON.stringify(statement.Condition) ===
          JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
    );

    // Assess
    expect(denials).toHaveLength(1);
    expect(denials[0]?.Action).toBe('sqs:*');
    expect(denials[0]?.Principal).toEqual({ AWS: '*' });
  });
});
