import { TABLES, type TableId } from '../../functions/shared/resources';
import { RETAINED_TABLES } from '../../infra/constructs/data-tables';
import { findResourceBy, synthesizeStack } from './stack-template';

const template = synthesizeStack();

const tableIds = Object.keys(TABLES) as TableId[];

describe('table set', () => {
  it('has one table per TABLES entry', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', tableIds.length);
  });
});

describe.each(tableIds)('%s table', (tableId) => {
  const [, table] = findResourceBy(
    template,
    'AWS::DynamoDB::Table',
    'TableName',
    TABLES[tableId].tableName,
  );

  it('bills per request', () => {
    // Assess
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('enables point-in-time recovery', () => {
    // Assess
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('encrypts with the AWS managed key', () => {
    // Assess: SSE enabled without a key id selects the aws/dynamodb key.
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('has string key attributes only', () => {
    // Act
    const definitions = table.Properties.AttributeDefinitions as {
      AttributeType: string;
    }[];

    // Assess
    for (const definition of definitions) {
      expect(definition.AttributeType).toBe('S');
    }
  });
});

describe('table removal policy', () => {
  it.each(tableIds)('%s matches its retention class', (tableId) => {
    // Prepare
    const expected = RETAINED_TABLES.has(tableId) ? 'Retain' : 'Delete';

    // Act
    const [, table] = findResourceBy(
      template,
      'AWS::DynamoDB::Table',
      'TableName',
      TABLES[tableId].tableName,
    );

    // Assess
    expect(table.DeletionPolicy).toBe(expected);
    expect(table.UpdateReplacePolicy).toBe(expected);
  });

  it('retains tasks, ledger, health records and audit', () => {
    // Assess
    expect([...RETAINED_TABLES].sort()).toEqual(
      ['audit', 'healthRecords', 'ledger', 'tasks'].sort(),
    );
  });
});
