import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { documentClient, requireEnv } from '../../functions/shared/aws-clients';
import { ENV } from '../../functions/shared/resources';
import { withJsonOption } from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderTable,
} from '../output';

/** An audit entry as stored. Consumers and overrides add their own fields. */
type AuditEntry = Record<string, unknown> & {
  sk: string;
  at?: string;
  action?: string;
};

const ENTITY_PATTERN = /^[a-z][a-z0-9-]*#.+$/;

/** Parses an audit entity such as `payment#pay_1001`. */
export const parseAuditEntity = (text: string): string => {
  if (!ENTITY_PATTERN.test(text)) {
    throw new InvalidArgumentError(
      `"${text}" is not an audit entity; write TYPE#ID, for example payment#pay_1001 or health-record#rec_1 (quote it in the shell).`,
    );
  }
  return text;
};

/** Reads every audit entry of an entity, oldest first. */
const readAuditTrail = async (entity: string): Promise<AuditEntry[]> => {
  const entries: AuditEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: requireEnv(ENV.auditTable),
        KeyConditionExpression: 'entity = :entity',
        ExpressionAttributeValues: { ':entity': entity },
        ExclusiveStartKey: startKey,
      }),
    );
    entries.push(...((page.Items ?? []) as AuditEntry[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
};

const text = (value: unknown): string =>
  value === undefined || value === null ? '-' : String(value);

const trailTable = (entries: readonly AuditEntry[]): string =>
  renderTable(
    [
      {
        header: 'TIME',
        value: (row: AuditEntry) => text(row.at ?? row.sk.split('#')[0]),
      },
      { header: 'ACTION', value: (row) => text(row.action) },
      { header: 'BY', value: (row) => text(row.operator ?? row.actor) },
      { header: 'TASK ID', value: (row) => text(row.taskId) },
      { header: 'REASON', value: (row) => text(row.reason) },
    ],
    entries,
  );

const showTrail = async (
  io: CliIo,
  entity: string,
  options: OutputOptions,
): Promise<void> => {
  const entries = await readAuditTrail(entity);
  printResult(io, options, { entity, entries }, () =>
    entries.length === 0
      ? `No audit entries for ${entity}.\n`
      : trailTable(entries),
  );
};

/** Registers `ekbar audit <entity>`. */
export const registerAuditCommand = (program: Command, io: CliIo): void => {
  withJsonOption(
    program
      .command('audit')
      .description('show the audit trail of one entity, oldest first')
      .argument(
        '<entity>',
        'entity as TYPE#ID, such as payment#pay_1001 or health-record#rec_1',
        parseAuditEntity,
      ),
  ).action((entity, options) => showTrail(io, entity, options));
};
