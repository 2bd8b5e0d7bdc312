import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  consumerFunctionOf,
  queueSettingsOf,
  RESOURCE_PREFIX,
} from '../../functions/shared/resources';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import {
  buildStack,
  findResourceBy,
  resourcesOfType,
  synthesizeStack,
} from './stack-template';

const template = synthesizeStack();

const [topicId] = findResourceBy(
  template,
  'AWS::SNS::Topic',
  'TopicName',
  `${RESOURCE_PREFIX}-alarms`,
);

const alarms = Object.entries(
  resourcesOfType(template, 'AWS::CloudWatch::Alarm'),
);

const queueIdOf = (queueName: string): string =>
  findResourceBy(template, 'AWS::SQS::Queue', 'QueueName', queueName)[0];

describe('alarm set', () => {
  it('has at least four alarms', () => {
    // Assess
    expect(alarms.length).toBeGreaterThanOrEqual(4);
  });

  it('has four alarms per class and one for the API', () => {
    // Assess
    expect(alarms).toHaveLength(4 * TASK_CLASSES.length + 1);
  });

  it.each(alarms)('%s notifies the alarm topic', (_id, alarm) => {
    // Assess
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
  });

  it.each(alarms)('%s treats missing data as not breaching', (_id, alarm) => {
    // Assess
    expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
  });

  it('topic denies publishing without TLS', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe.each(TASK_CLASSES)('$name alarms', (definition) => {
  const settings = queueSettingsOf(definition);
  const [consumerId] = findResourceBy(
    template,
    'AWS::Lambda::Function',
    'FunctionName',
    `${RESOURCE_PREFIX}-${consumerFunctionOf(definition.name)}`,
  );

  it('fire on any dead letter', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [queueIdOf(settings.dlqName), 'QueueName'],
          },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('fire on an old queued task', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [queueIdOf(settings.queueName), 'QueueName'],
          },
        },
      ],
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(['Errors', 'Throttles'])('fire on consumer %s', (metricName) => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: consumerId } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('API alarm', () => {
  it('fires on a 5XX rate above 5%', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Average',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
  });
});

describe('oldest message age threshold', () => {
  it('rejects less than a minute', () => {
    // Act
    const build = () => buildStack({ oldestMessageAgeSeconds: 30 });

    // Assess
    expect(build).toThrow(/oldestMessageAgeSeconds is 30/);
  });

  it('warns within a retry span', () => {
    // Act
    const stack = buildStack({ oldestMessageAgeSeconds: 60 });

    // Assess
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('oldestMessageAgeSeconds is 60, within the'),
    );
  });

  it('does not warn at the default', () => {
    // Act
    const stack = buildStack();

    // Assess
    Annotations.fromStack(stack).hasNoWarning(
      '*',
      Match.stringLikeRegexp('oldestMessageAgeSeconds'),
    );
  });
});
