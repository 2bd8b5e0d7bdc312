import type { Command } from 'commander';
import type { TaskClassDefinition } from '../../functions/shared/task-classes';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { FUNCTION_SERVICE_NAME } from '../../scripts/local/lambda-environment';
import { InvalidValueError } from '../errors';
import {
  buildImpactReport,
  DEFAULT_INCIDENT_COSTS,
  type ImpactReport,
  readSuppressedDuplicates,
  SUPPRESSION_LAYERS,
} from '../impact';
import { parseRupees, parseTaskClass, withJsonOption } from '../options';
import {
  type CliIo,
  type OutputOptions,
  printResult,
  renderTable,
} from '../output';
import { parseTime } from '../time-range';

/** Default of `--since`: the last 24 hours. */
const DEFAULT_SINCE = '24h';

interface ImpactOptions extends OutputOptions {
  readonly since?: Date;
  readonly until?: Date;
  readonly class?: TaskClassDefinition<unknown>[];
  readonly refundCost: number;
  readonly churnCost: number;
  readonly investigationCost: number;
  readonly service: string;
}

const rupees = (value: number): string =>
  new Intl.NumberFormat('en-IN', {
    style: 'currency',
    currency: 'INR',
    maximumFractionDigits: 0,
  }).format(value);

const reportText = (report: ImpactReport): string => {
  const header =
    `Duplicates suppressed from ${report.since} to ${report.until}, ` +
    `valued at ${rupees(report.costPerDuplicateInr)} each ` +
    `(refund ${rupees(report.costs.refund)} + churn ${rupees(report.costs.churn)} ` +
    `+ investigation ${rupees(report.costs.investigation)}).\n\n`;
  const rows = [
    ...report.rows
      .filter((row) => row.suppressed > 0)
      .map((row) => ({ ...row, layer: row.layer as string })),
    ...report.byClass.map((row) => ({ ...row, layer: 'all layers' })),
    { taskClass: 'all classes', layer: 'all layers', ...report.total },
  ];
  const table = renderTable(
    [
      { header: 'CLASS', value: (row: (typeof rows)[number]) => row.taskClass },
      { header: 'LAYER', value: (row) => row.layer },
      {
        header: 'SUPPRESSED',
        value: (row) => String(row.suppressed),
        align: 'right',
      },
      { header: 'VALUE', value: (row) => rupees(row.valueInr), align: 'right' },
    ],
    rows,
  );
  const legend = Object.entries(SUPPRESSION_LAYERS)
    .map(([layer, meaning]) => `  ${layer}: ${meaning}\n`)
    .join('');
  return `${header}${table}\nLayers:\n${legend}`;
};

const impactCommand = async (
  io: CliIo,
  options: ImpactOptions,
): Promise<void> => {
  const now = new Date();
  const range = {
    since: options.since ?? parseTime(DEFAULT_SINCE, now),
    until: options.until ?? now,
  };
  // CloudWatch reads the range in whole seconds, so a range shorter than a
  // second (--since now) would reach it as an empty one and fail there.
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
  if (seconds(range.since) >= seconds(range.until)) {
    throw new InvalidValueError(
      `--since (${range.since.toISOString()}) must be before --until (${range.until.toISOString()}); swap or correct them`,
    );
  }
  const classes = (options.class ?? TASK_CLASSES).map(
    (definition) => definition.name,
  );
  const counts = await readSuppressedDuplicates({
    range,
    classes,
    service: options.service,
    now,
  });
  const report = buildImpactReport(counts, range, {
    refund: options.refundCost,
    churn: options.churnCost,
    investigation: options.investigationCost,
  });
  printResult(io, options, report, () => reportText(report));
};

const collectClass = (
  name: string,
  previous: TaskClassDefinition<unknown>[] | undefined,
): TaskClassDefinition<unknown>[] => [
  ...(previous ?? []),
  parseTaskClass(name),
];

/** Registers `ekbar report impact`. */
export const registerReportCommands = (program: Command, io: CliIo): void => {
  const report = program
    .command('report')
    .description('reports for operators and their managers');

  withJsonOption(
    report
      .command('impact')
      .description(
        'count the duplicates each layer suppressed per task class, from the DuplicatesSuppressed metric, and estimate their value in rupees',
      )
      .option(
        '--since <time>',
        `start: ISO 8601 time, or a duration before now such as 24h or 7d (default: ${DEFAULT_SINCE})`,
        (text: string) => parseTime(text),
      )
      .option(
        '--until <time>',
        'end: ISO 8601 time, or a duration before now (default: now)',
        (text: string) => parseTime(text),
      )
      .option(
        '--class <name>',
        'only this task class; repeat for more (default: every class)',
        collectClass,
      )
      .option(
        '--refund-cost <rupees>',
        'refund processing cost of one duplicate, whole rupees',
        parseRupees,
        DEFAULT_INCIDENT_COSTS.refund,
      )
      .option(
        '--churn-cost <rupees>',
        'cost of replacing a customer a duplicate drove away, whole rupees',
        parseRupees,
        DEFAULT_INCIDENT_COSTS.churn,
      )
      .option(
        '--investigation-cost <rupees>',
        'investigation cost of one duplicate, whole rupees',
        parseRupees,
        DEFAULT_INCIDENT_COSTS.investigation,
      )
      .option(
        '--service <name>',
        'Powertools service dimension of the functions',
        FUNCTION_SERVICE_NAME,
      ),
  ).action((options) => impactCommand(io, options));
};
