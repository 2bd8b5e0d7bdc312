import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  consumerFunctionOf,
  ENV,
  RESOURCE_PREFIX,
} from '../../functions/shared/resources';
import { notification, payment } from '../../functions/shared/task-classes';
import { buildStack, findResourceBy } from './stack-template';

const environmentOf = (
  template: Template,
  className: string,
): Record<string, unknown> => {
  const [, fn] = findResourceBy(
    template,
    'AWS::Lambda::Function',
    'FunctionName',
    `${RESOURCE_PREFIX}-${consumerFunctionOf(className)}`,
  );
  return (fn.Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;
};

describe('notificationProviderUrl', () => {
  it.each([
    ['http://127.0.0.1:9443', /uses http:; set an https:\/\/ URL/],
    ['not a url', /"not a url" is not a valid URL/],
    ['https://127.0.0.1:9443/', /ends with "\/"/],
  ])('rejects %s', (url, message) => {
    // Act
    const build = () => buildStack({ notificationProviderUrl: url });

    // Assess
    expect(build).toThrow(message);
  });

  it('is required in production', () => {
    // Act
    const build = () =>
      buildStack({ production: true, notificationProviderUrl: undefined });

    // Assess
    expect(build).toThrow(/notificationProviderUrl is missing/);
  });

  it('warns when missing outside production', () => {
    // Act
    const stack = buildStack({ notificationProviderUrl: undefined });

    // Assess
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('notificationProviderUrl is not set'),
    );
  });

  it('leaves the variable unset when missing', () => {
    // Act
    const stack = buildStack({ notificationProviderUrl: undefined });

    // Assess
    const environment = environmentOf(
      Template.fromStack(stack),
      notification.name,
    );
    expect(environment[ENV.notificationProviderUrl]).toBeUndefined();
  });
});

describe('paymentReviewLimitMinor', () => {
  it('reaches the payment consumer', () => {
    // Act
    const stack = buildStack({ paymentReviewLimitMinor: 5_000_00 });

    // Assess
    const environment = environmentOf(Template.fromStack(stack), payment.name);
    expect(environment[ENV.paymentReviewLimit]).toBe('500000');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %p', (limit) => {
    // Act
    const build = () => buildStack({ paymentReviewLimitMinor: limit });

    // Assess
    expect(build).toThrow(`paymentReviewLimitMinor is ${limit}`);
  });
});
