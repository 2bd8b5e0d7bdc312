import {
  consumerFunctionOf,
  INGEST_FUNCTION,
  RESOURCE_PREFIX,
} from '../../functions/shared/resources';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import {
  findResourceBy,
  managedPolicyArnsOf,
  resourcesOfType,
  roleIdOf,
  synthesizeStack,
} from './stack-template';

const template = synthesizeStack();

const functionNames = [
  INGEST_FUNCTION,
  ...TASK_CLASSES.map((definition) => consumerFunctionOf(definition.name)),
];

const functionIdOf = (bundleName: string): string =>
  findResourceBy(
    template,
    'AWS::Lambda::Function',
    'FunctionName',
    `${RESOURCE_PREFIX}-${bundleName}`,
  )[0];

describe('IAM roles', () => {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');

  it('belong to a function or to API Gateway logging', () => {
    // Prepare
    const functionRoleIds = functionNames.map((name) =>
      roleIdOf(template, functionIdOf(name)),
    );

    // Act
    const otherRoles = Object.entries(roles).filter(
      ([roleId]) => !functionRoleIds.includes(roleId),
    );

    // Assess
    expect(new Set(functionRoleIds).size).toBe(functionNames.length);
    expect(otherRoles).toHaveLength(1);
    expect(otherRoles[0]?.[1].Properties.AssumeRolePolicyDocument).toEqual(
      expect.objectContaining({
        Statement: [
          expect.objectContaining({
            Principal: { Service: 'apigateway.amazonaws.com' },
          }),
        ],
      }),
    );
  });
});

describe.each(functionNames)('%s role', (bundleName) => {
  const roleId = roleIdOf(template, functionIdOf(bundleName));

  it('has no managed policy', () => {
    // Assess
    expect(managedPolicyArnsOf(template, roleId)).toEqual([]);
  });

  it('is assumed by Lambda only', () => {
    // Act
    const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];

    // Assess
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
      Version: '2012-10-17',
    });
  });
});
