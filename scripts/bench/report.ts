import { DESIGN_FLOOR_CONSUMER, MINIMAL_CONSUMER } from './bundles';
import type { BenchFigures } from './figures';
import type { CpuFigures, RequestSummary } from './results';
import { dynamodbTotal, sqsTotal } from './results';
import { round, type Spread } from './stats';
import type { TargetResult } from './targets';

const table = (header: string[], rows: (string | number)[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

const n = (value: number): string => String(round(value, 3));

const dynamodbParts = (s: RequestSummary): string =>
  `${n(dynamodbTotal(s))} (${n(s.dynamodb.read)} / ${n(s.dynamodb.write)} / ${n(s.dynamodb.transaction)})`;

const sqsParts = (s: RequestSummary): string =>
  `${n(sqsTotal(s))} (${n(s.sqs.send)} / ${n(s.sqs.receive)} / ${n(s.sqs.delete)} / ${n(s.sqs.visibility)})`;

const pair = (s: RequestSummary): string =>
  `${n(dynamodbTotal(s))} + ${n(sqsTotal(s))}`;

const requestRows = (figures: BenchFigures) => {
  const { product, baseline, floor } = figures.requestDetail;
  const row = (
    scenario: string,
    pick: (detail: typeof product) => RequestSummary | undefined,
  ) => {
    const measured = pick(product) as RequestSummary;
    return [
      scenario,
      dynamodbParts(measured),
      sqsParts(measured),
      pair(pick(baseline) as RequestSummary),
      pair(pick(floor) as RequestSummary),
    ];
  };
  return [
    row('ingest, new request', (d) => d.ingest.new),
    row('ingest, replay', (d) => d.ingest.replay),
    ...Object.keys(product.consumer).flatMap((name) => [
      row(`${name}, new task`, (d) => d.consumer[name]?.new),
      row(`${name}, duplicate delivery`, (d) => d.consumer[name]?.duplicate),
    ]),
  ];
};

const money = (value: number): string => `$${value.toFixed(2)}`;

const costRows = (figures: BenchFigures) =>
  Object.entries(figures.cost.perMillionTasks).flatMap(([name, modes]) =>
    (['product', 'baseline', 'floor'] as const).map((mode) => {
      const cost = modes[mode];
      return [
        name,
        mode,
        money(cost.dynamodb),
        money(cost.sqs),
        money(cost.lambdaRequests),
        money(cost.lambdaCompute),
        money(cost.total),
      ];
    }),
  );

const cpu = (figures: CpuFigures): string =>
  `${Math.round(figures.p50Us)} / ${Math.round(figures.p99Us)}`;

const cpuRows = (figures: BenchFigures) => {
  const { product, baseline } = figures.cpu;
  return [
    [
      'ingest',
      'new request',
      cpu(product.ingest.new),
      cpu(baseline.ingest.new),
    ],
    [
      'ingest',
      'replay',
      cpu(product.ingest.replay),
      cpu(baseline.ingest.replay),
    ],
    ...Object.keys(product.consumer).flatMap((name) => {
      const p = product.consumer[name];
      const b = baseline.consumer[name];
      return p && b
        ? [
            [
              `consumer-${name}`,
              'new task, per record',
              cpu(p.new),
              cpu(b.new),
            ],
            [
              `consumer-${name}`,
              'duplicate, per record',
              cpu(p.duplicate),
              cpu(b.duplicate),
            ],
          ]
        : [];
    }),
  ];
};

const throughputRows = (figures: BenchFigures) =>
  Object.entries(figures.throughput).map(([name, run]) => {
    const share = (r: typeof run.product) =>
      `${round((r.tasksPerSecond / r.allowedTasksPerSecond) * 100, 1)}%`;
    return [
      name,
      `${round(run.product.tasksPerSecond)} of ${round(run.product.allowedTasksPerSecond)} (${share(run.product)})`,
      `${round(run.product.emulatorBusyShare * 100, 1)}%`,
      `${Math.round(run.product.latencyMs.p50)} / ${Math.round(run.product.latencyMs.p99)}`,
      `${round(run.baseline.tasksPerSecond)} of ${round(run.baseline.allowedTasksPerSecond)} (${share(run.baseline)})`,
      `${round(run.baseline.emulatorBusyShare * 100, 1)}%`,
      `${Math.round(run.baseline.latencyMs.p50)} / ${Math.round(run.baseline.latencyMs.p99)}`,
      `${round(run.ratioToBaseline)}`,
    ];
  });

const kb = (bytes: number): string => `${round(bytes / 1024, 1)} KiB`;

const signed = (value: number): string =>
  `${value > 0 ? '+' : ''}${round(value, 1)}`;

const signedMs = (spread: Spread): string =>
  `${signed(spread.median)} (${signed(spread.p25)} to ${signed(spread.p75)})`;

const bundleRows = (figures: BenchFigures) => {
  const minimal = figures.bundles[MINIMAL_CONSUMER];
  const floor = figures.bundles[DESIGN_FLOOR_CONSUMER];
  return Object.entries(figures.bundles).map(([name, bundle]) => [
    name,
    kb(bundle.bytes),
    kb(bundle.loadedBytes),
    minimal ? `${round(bundle.bytes / minimal.bytes)} ×` : '',
    floor ? `${round(bundle.bytes / floor.bytes)} ×` : '',
    `${round(bundle.loadMs.median, 1)} (${round(bundle.loadMs.p25, 1)} to ${round(bundle.loadMs.p75, 1)})`,
    bundle.loadMinusMinimalMs ? signedMs(bundle.loadMinusMinimalMs) : '',
  ]);
};

/**
 * Packages of a bundle that the minimal consumer lacks or has less of,
 * with what remains beyond the design floor.
 */
const extraPackageRows = (figures: BenchFigures, name: string) => {
  const bundle = figures.bundles[name];
  const minimal = figures.bundles[MINIMAL_CONSUMER];
  const floor = figures.bundles[DESIGN_FLOOR_CONSUMER];
  if (!bundle || !minimal) {
    return [];
  }
  return Object.entries(bundle.packages)
    .map(([pkg, bytes]): [string, number, number] => [
      pkg,
      bytes - (minimal.packages[pkg] ?? 0),
      bytes - (floor?.packages[pkg] ?? 0),
    ])
    .filter(([, extra]) => extra > 1024)
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, extra, beyondFloor]) => [
      pkg,
      kb(extra),
      kb(Math.max(beyondFloor, 0)),
    ]);
};

/** Renders a run as Markdown: the page text of docs/benchmarks.md. */
export const renderReport = (
  figures: BenchFigures,
  targets: readonly TargetResult[],
): string => {
  const { machine } = figures;
  const missed = targets.filter((target) => !target.met);
  return [
    `## Run of ${figures.date}`,
    '',
    `Command: \`${figures.command}\`. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node.js ${machine.node}, moto ${machine.moto}; one-minute load average ${round(machine.loadAverage.start)} at the start and ${round(machine.loadAverage.end ?? Number.NaN)} at the end.`,
    '',
    '### AWS requests per task',
    '',
    "DynamoDB is read / write / transaction; SQS is send / receive / delete / change visibility, the event source's receive and delete shared by the batch. Baseline and floor give DynamoDB + SQS.",
    '',
    table(
      ['scenario', 'DynamoDB', 'SQS', 'baseline', 'floor'],
      requestRows(figures),
    ),
    '',
    `### Cost per million new tasks (${figures.cost.prices.region}, ${figures.cost.prices.currency})`,
    '',
    `Largest item ${figures.cost.largestItemBytes} bytes, so ${figures.cost.writeUnitsPerItem} write unit per item and 2 in a transaction. Prices: ${figures.cost.prices.source}.`,
    '',
    table(
      [
        'class',
        'run',
        'DynamoDB',
        'SQS',
        'Lambda requests',
        'Lambda compute',
        'total',
      ],
      costRows(figures),
    ),
    '',
    '### CPU time with AWS responses served in-process (µs, p50 / p99)',
    '',
    table(['function', 'scenario', 'product', 'baseline'], cpuRows(figures)),
    '',
    '### End to end against the emulator',
    '',
    'Tasks per second of what the emulator allows, from serial runs; the share of the run in which the emulator served a request, as the gate measured it; latency p50 / p99 in ms.',
    '',
    table(
      [
        'class',
        'product tasks/s',
        'product emulator busy',
        'product latency',
        'baseline tasks/s',
        'baseline emulator busy',
        'baseline latency',
        'product / baseline',
      ],
      throughputRows(figures),
    ),
    '',
    '### Bundles',
    '',
    "Size: all files of the bundle. Loaded at start: index.mjs and the chunks it imports statically, without the chunks behind dynamic imports. Load time: median ms (p25 to p75) to import the bundle in a new Node.js process, clients constructed. Against minimal: the load time minus the minimal consumer's in the same round, median (p25 to p75) over the rounds.",
    '',
    table(
      [
        'bundle',
        'size',
        'loaded at start',
        'of minimal',
        'of design floor',
        'load time',
        'against minimal',
      ],
      bundleRows(figures),
    ),
    '',
    'Bytes of consumer-payment beyond the minimal consumer and beyond the design floor, by package:',
    '',
    table(
      ['package', 'beyond minimal', 'beyond design floor'],
      extraPackageRows(figures, 'consumer-payment'),
    ),
    '',
    '### Targets',
    '',
    table(
      ['target', 'measured', 'met'],
      targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**']),
    ),
    '',
    missed.length === 0
      ? 'Every target is met.'
      : `${missed.length} of ${targets.length} targets missed.`,
    '',
  ].join('\n');
};
