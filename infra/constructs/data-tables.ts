import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  TABLES,
  type TableId,
  type TableSettings,
} from '../../functions/shared/resources';

/**
 * Tables kept when the stack is deleted, because they contain task
 * history, money, health records and the audit trail. Idempotency records and analytics
 * counters go with the stack.
 */
export const RETAINED_TABLES: ReadonlySet<TableId> = new Set<TableId>([
  'tasks',
  'ledger',
  'healthRecords',
  'audit',
]);

const attributeOf = (name: string): dynamodb.Attribute => ({
  name,
  type: dynamodb.AttributeType.STRING,
});

/**
 * Every DynamoDB table declared in TABLES, each with on-demand billing,
 * string keys, point-in-time recovery and encryption with the AWS managed
 * key.
 */
export class DataTables extends Construct {
  /** Each table, keyed as in TABLES. */
  readonly tables: Readonly<Record<TableId, dynamodb.Table>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const entries = Object.entries(TABLES) as [TableId, TableSettings][];
    this.tables = Object.fromEntries(
      entries.map(([tableId, settings]) => [
        tableId,
        this.createTable(tableId, settings),
      ]),
    ) as Record<TableId, dynamodb.Table>;
  }

  private createTable(
    tableId: TableId,
    settings: TableSettings,
  ): dynamodb.Table {
    return new dynamodb.Table(this, tableId, {
      tableName: settings.tableName,
      partitionKey: attributeOf(settings.partitionKey),
      sortKey: settings.sortKey ? attributeOf(settings.sortKey) : undefined,
      timeToLiveAttribute: settings.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RETAINED_TABLES.has(tableId)
        ? RemovalPolicy.RETAIN
        : RemovalPolicy.DESTROY,
    });
  }
}
