import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addNagChecks } from '../../infra/nag';
import { buildStack } from './stack-template';

/** A finding or an acknowledgment, as `<rule id> <construct path>`. */
type RuleAtPath = string;

/**
 * Runs the AwsSolutions checks on a construct tree and returns the
 * unacknowledged findings of one severity, or of all when none is given.
 */
const findingsOf = (scope: IConstruct, severity?: string): RuleAtPath[] =>
  new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.filter(
      (violation) => severity === undefined || violation.severity === severity,
    )
    .flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.ruleName} ${resource.constructPath}`,
      ),
    )
    .sort();

/** Returns every acknowledgment recorded in a construct tree. */
const acknowledgmentsOf = (
  scope: IConstruct,
): { ruleAtPath: RuleAtPath; reason: string }[] =>
  scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter(
        (entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      )
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(
          ([id, reason]) => ({
            // CDK stores a rule id without a namespace as an annotation.
            ruleAtPath: `${id.replace(/^annotation::/i, '')} ${construct.node.path}`,
            reason,
          }),
        ),
      ),
  );

/** Builds the stack with every acknowledgment left out. */
const buildStackWithoutAcknowledgments = (): Stack => {
  const acknowledge = jest
    .spyOn(Validations.prototype, 'acknowledge')
    .mockImplementation(() => undefined);
  try {
    return buildStack();
  } finally {
    acknowledge.mockRestore();
  }
};

describe('AwsSolutions checks', () => {
  const stack = buildStack();

  it('find no unacknowledged error', () => {
    // Assess
    expect(findingsOf(stack, 'error')).toEqual([]);
  });

  it('find no unacknowledged warning', () => {
    // Assess
    expect(findingsOf(stack, 'warning')).toEqual([]);
  });

  it('find nothing when another stack manages the logging role', () => {
    // Act
    const custom = buildStack({ apiLimits: { manageCloudWatchRole: false } });

    // Assess
    expect(findingsOf(custom)).toEqual([]);
  });

  it('pass during app synthesis', () => {
    // Prepare
    addNagChecks(stack.node.root as App);

    // Act
    const synthesize = () => (stack.node.root as App).synth();

    // Assess
    expect(synthesize).not.toThrow();
  });

  it('fail app synthesis on a finding', () => {
    // Prepare: a queue without a DLQ and with no TLS policy.
    const app = new App();
    new sqs.Queue(new Stack(app, 'Unchecked'), 'Queue');
    addNagChecks(app);

    // Act
    const synthesize = () => app.synth();

    // Assess
    expect(synthesize).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('nag acknowledgments', () => {
  const acknowledgments = acknowledgmentsOf(buildStack());

  it('match the findings one to one', () => {
    // Prepare
    const findings = findingsOf(buildStackWithoutAcknowledgments());

    // Act
    const acknowledged = acknowledgments
      .map((acknowledgment) => acknowledgment.ruleAtPath)
      .sort();

    // Assess: none is missing, and none outlives its finding.
    expect(findings.length).toBeGreaterThan(0);
    expect(acknowledged).toEqual(findings);
  });

  it.each(acknowledgments)('$ruleAtPath gives a reason', ({ reason }) => {
    // Assess
    expect(reason.length).toBeGreaterThanOrEqual(40);
  });
});
