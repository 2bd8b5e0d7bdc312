import type { Template } from 'aws-cdk-lib/assertions';
import { METRIC } from '../../functions/shared/metrics';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { synthesizeStack } from './stack-template';

describe('operations dashboard', () => {
  const template: Template = synthesizeStack();
  const body = (): string => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    return JSON.stringify(
      Object.values(dashboards)[0]?.Properties?.DashboardBody,
    );
  };

  it.each(TASK_CLASSES.map((d) => d.name))(
    'graphs the %s class',
    (className) => {
      expect(body()).toContain(`${className}: duplicates suppressed by layer`);
      expect(body()).toContain(`${className}: queue depth`);
    },
  );

  it.each([
    'api-replay',
    'ingest-business-key',
    'consumer-idempotency',
    'effect-guard',
  ])('graphs duplicates stopped by %s', (layer) => {
    expect(body()).toContain(layer);
  });

  it.each(Object.values(METRIC))('graphs %s', (metricName) => {
    expect(body()).toContain(metricName);
  });
});
