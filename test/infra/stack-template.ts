import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EkbarStack, type EkbarStackProps } from '../../infra/ekbar-stack';

/** Provider URL given to test stacks. No test sends anything to it. */
export const TEST_PROVIDER_URL = 'https://127.0.0.1:9443';

/** A resource of a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** Feature flags from cdk.json, so tests synthesize what `cdk synth` does. */
export const cdkContext = (): Record<string, unknown> => {
  const path = join(__dirname, '..', '..', 'cdk.json');
  return JSON.parse(readFileSync(path, 'utf8')).context;
};

/** Builds the stack in ap-south-1 with a provider URL set. */
export const buildStack = (
  props: Partial<EkbarStackProps> = {},
): EkbarStack => {
  const app = new App({ context: cdkContext() });
  return new EkbarStack(app, 'Test', {
    env: { region: 'ap-south-1' },
    notificationProviderUrl: TEST_PROVIDER_URL,
    ...props,
  });
};

/** Synthesizes the stack that {@link buildStack} builds. */
export const synthesizeStack = (
  props: Partial<EkbarStackProps> = {},
): Template => Template.fromStack(buildStack(props));

/** Returns every resource of one type, keyed by logical id. */
export const resourcesOfType = (
  template: Template,
  type: string,
): Record<string, TemplateResource> =>
  template.findResources(type) as Record<string, TemplateResource>;

/**
 * Returns the logical id and resource whose `property` equals `value`,
 * compared as JSON so that references such as `{ Ref: id }` match.
 */
export const findResourceBy = (
  template: Template,
  type: string,
  property: string,
  value: unknown,
): [string, TemplateResource] => {
  const matches = Object.entries(resourcesOfType(template, type)).filter(
    ([, resource]) =>
      JSON.stringify(resource.Properties[property]) === JSON.stringify(value),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} with ${property} ${JSON.stringify(value)}, found ${matches.length}`,
    );
  }
  return matches[0] as [string, TemplateResource];
};

/** Returns `{ 'Fn::GetAtt': [logicalId, 'Arn'] }`, the way CDK refers to ARNs. */
export const arnOf = (logicalId: string) => ({
  'Fn::GetAtt': [logicalId, 'Arn'],
});

const asArray = <T>(value: T | T[]): T[] =>
  Array.isArray(value) ? value : [value];

/**
 * Returns the actions that a function's role policies allow, keyed by the
 * logical id of each resource they name (or its JSON when it is no plain
 * ARN reference).
 */
export const allowedActionsOf = (
  template: Template,
  functionId: string,
): Map<string, Set<string>> => {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionId];
  const roleArn = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const roleId = roleArn['Fn::GetAtt'][0];
  const policies = Object.values(
    resourcesOfType(template, 'AWS::IAM::Policy'),
  ).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
    ),
  );

  const allowed = new Map<string, Set<string>>();
  for (const policy of policies) {
    const document = policy.Properties.PolicyDocument as {
      Statement: {
        Effect: string;
        Action: string | string[];
        Resource: unknown;
      }[];
    };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') {
        continue;
      }
      for (const resource of asArray(statement.Resource)) {
        const getAtt = (resource as { 'Fn::GetAtt'?: [string, string] })[
          'Fn::GetAtt'
        ];
        const key = getAtt ? getAtt[0] : JSON.stringify(resource);
        const actions = allowed.get(key) ?? new Set<string>();
        for (const action of asArray(statement.Action)) {
          actions.add(action);
        }
        allowed.set(key, actions);
      }
    }
  }
  return allowed;
};
