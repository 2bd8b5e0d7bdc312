import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { documentClient, requireEnv } from '../../functions/shared/aws-clients';
import { ENV } from '../../functions/shared/resources';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { DEAD_LETTER_AUDIT_TYPE } from '../dead-letter-overrides';
import { withJsonOption } from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderTable,
} from '../output';
import { TASK_AUDIT_TYPE } from '../overrides';

/** An audit entry as stored. Consumers and overrides add their own fields. */
type AuditEntry = Record<string, unknown> & {
  sk: string;
  at?: string;
  action?: string;
};

/**
 * Types of the entities that audit entries are written under: one per task
 * class, and two for tasks and dead letters that name no entity.
 */
const AUDIT_ENTITY_TYPES: readonly string[] = [
  ...TASK_CLASSES.map((definition) => definition.name),
  TASK_AUDIT_TYPE,
  DEAD_LETTER_AUDIT_TYPE,
];

/**
 * Parses an audit entity such as `payment#pay_1001`. Only the type is
 * checked, because a dead letter with a hand-written body is audited under
 * whatever entity id its business key holds.
 */
export const parseAuditEntity = (text: string): string => {
  const separator = text.indexOf('#');
  if (separator <= 0 || separator === text.length - 1) {
    throw new InvalidArgumentError(
      `"${text}" is not an audit entity; write TYPE#ID, for example payment#pay_1001 or health-record#rec_1 (quote it in the shell).`,
    );
  }
  const type = text.slice(0, separator);
  if (!AUDIT_ENTITY_TYPES.includes(type)) {
    throw new InvalidArgumentError(
      `audit entity type "${type}" in "${text}" does not exist; use one of: ${AUDIT_ENTITY_TYPES.join(', ')}, for example payment#pay_1001.`,
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
