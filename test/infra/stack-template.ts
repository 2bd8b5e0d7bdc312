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

/** A statement of an IAM policy document in a template. */
interface PolicyStatement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

interface PolicyDocument {
  readonly Statement: PolicyStatement[];
}

/** Returns the logical id of a function's execution role. */
export const roleIdOf = (template: Template, functionId: string): string => {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionId];
  const roleArn = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] };
  return roleArn['Fn::GetAtt'][0];
};

const attachedTo = (resource: TemplateResource, roleId: string): boolean =>
  ((resource.Properties.Roles as unknown[] | undefined) ?? []).some(
    (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
  );

/**
 * Returns every policy statement that applies to a role: its inline
 * policies, and the policies and customer managed policies attached to it.
 * AWS managed policies are not in the template, so `managedPolicyArnsOf`
 * lists them.
 */
export const statementsOf = (
  template: Template,
  roleId: string,
): PolicyStatement[] => {
  const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
  const inline = (
    (role?.Properties.Policies as { PolicyDocument: PolicyDocument }[]) ?? []
  ).map((policy) => policy.PolicyDocument);
  const attached = [
    ...Object.values(resourcesOfType(template, 'AWS::IAM::Policy')),
    ...Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy')),
  ]
    .filter((policy) => attachedTo(policy, roleId))
    .map((policy) => policy.Properties.PolicyDocument as PolicyDocument);
  return [...inline, ...attached].flatMap((document) => document.Statement);
};

/** Returns the managed policy ARNs of a role, as template values. */
export const managedPolicyArnsOf = (
  template: Template,
  roleId: string,
): unknown[] => {
  const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
  return (role?.Properties.ManagedPolicyArns as unknown[] | undefined) ?? [];
};

/**
 * Returns the logical id that a policy resource refers to through
 * `Fn::GetAtt`, or its JSON when it is no plain ARN reference.
 */
const resourceKeyOf = (resource: unknown): string => {
  const getAtt = (resource as { 'Fn::GetAtt'?: [string, string] })[
    'Fn::GetAtt'
  ];
  return getAtt ? getAtt[0] : JSON.stringify(resource);
};

/**
 * Returns each action that a function's role allows, paired with each
 * resource, as sorted `action resource` strings. A resource is the logical
 * id of the resource it names, or its JSON when it is no plain ARN
 * reference. Statements that deny, or use NotAction, NotResource or a
 * condition, are listed whole with a `statement` prefix, so that an exact
 * comparison fails on them too.
 */
export const grantsOf = (template: Template, functionId: string): string[] => {
  const grants = new Set<string>();
  for (const statement of statementsOf(
    template,
    roleIdOf(template, functionId),
  )) {
    const plain =
      statement.Effect === 'Allow' &&
      statement.NotAction === undefined &&
      statement.NotResource === undefined &&
      statement.Condition === undefined;
    if (!plain) {
      grants.add(`statement ${JSON.stringify(statement)}`);
      continue;
    }
    for (const action of asArray(statement.Action ?? [])) {
      for (const resource of asArray(statement.Resource)) {
        grants.add(`${action} ${resourceKeyOf(resource)}`);
      }
    }
  }
  return [...grants].sort();
};

/**
 * Returns the actions that a function's role policies allow, keyed by the
 * logical id of each resource they name (or its JSON when it is no plain
 * ARN reference).
 */
export const allowedActionsOf = (
  template: Template,
  functionId: string,
): Map<string, Set<string>> => {
  const allowed = new Map<string, Set<string>>();
  for (const statement of statementsOf(
    template,
    roleIdOf(template, functionId),
  )) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    for (const resource of asArray(statement.Resource)) {
      const key = resourceKeyOf(resource);
      const actions = allowed.get(key) ?? new Set<string>();
      for (const action of asArray(statement.Action ?? [])) {
        actions.add(action);
      }
      allowed.set(key, actions);
    }
  }
  return allowed;
};
