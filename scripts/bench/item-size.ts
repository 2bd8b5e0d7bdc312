import {
  type AttributeValue,
  DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { TABLES } from '../../functions/shared/resources';

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Estimates the stored size of an attribute value by the rules of the
 * page "DynamoDB item sizes and formats" of the DynamoDB developer guide.
 * Strings and binaries count their
 * length, and numbers about one byte per two significant digits plus one.
 * A map or list adds three bytes, plus one per element.
 */
const valueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8Bytes(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + n.length, 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L) {
    return value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 3);
  }
  if (value.M) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  return 0;
};

/** Estimates an item's size in bytes: names plus values. */
export const itemBytes = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8Bytes(name) + valueBytes(value),
    0,
  );

/**
 * Returns the size of the largest item in any table, so that the cost
 * model can check that each write is one write request unit (1 KB).
 */
export const largestItemBytes = async (): Promise<number> => {
  const client = new DynamoDBClient({});
  let largest = 0;
  for (const table of Object.values(TABLES)) {
    for await (const page of paginateScan(
      { client },
      { TableName: table.tableName },
    )) {
      for (const item of page.Items ?? []) {
        largest = Math.max(largest, itemBytes(item));
      }
    }
  }
  return largest;
};
