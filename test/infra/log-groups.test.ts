import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { resourcesOfType, synthesizeStack } from './stack-template';

describe('every log group', () => {
  const logGroups = Object.entries(
    resourcesOfType(synthesizeStack(), 'AWS::Logs::LogGroup'),
  );

  it('counts one per function and two for the API stage', () => {
    // Assess: the consumers, ingest, and access and execution logs.
    expect(logGroups).toHaveLength(TASK_CLASSES.length + 1 + 2);
  });

  it.each(logGroups)('%s keeps events 30 days', (_id, logGroup) => {
    // Assess
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('takes the retention from the stack props', () => {
    // Act
    const custom = Object.values(
      resourcesOfType(
        synthesizeStack({ logRetention: RetentionDays.ONE_WEEK }),
        'AWS::Logs::LogGroup',
      ),
    );

    // Assess
    for (const logGroup of custom) {
      expect(logGroup.Properties.RetentionInDays).toBe(7);
    }
  });
});
