import { DESIGN_FLOOR_CONSUMER, MINIMAL_CONSUMER } from './bundles';
import type { BenchFigures, BundleFigures, RequestPair } from './figures';
import { round } from './stats';

/** One target of the benchmark and whether this run met it. */
export interface TargetResult {
  readonly target: string;
  readonly met: boolean;
  readonly measured: string;
}

/** Largest consumer bundle allowed, as a share of the minimal consumer. */
export const BUNDLE_SIZE_LIMIT = 1.2;

/**
 * Largest consumer bundle and load time allowed, as a share of the design
 * floor: the minimal consumer plus the libraries the design requires.
 */
export const DESIGN_FLOOR_LIMIT = 1.1;

/** Lowest throughput allowed, as a share of what the emulator allows. */
export const THROUGHPUT_FLOOR = 0.9;

/** Tolerance of the floor comparison, for averages over batches. */
const EPSILON = 1e-9;

const describePair = (pair: RequestPair): string =>
  `${pair.dynamodb} DynamoDB, ${pair.sqs} SQS`;

const requestTargets = (figures: BenchFigures): TargetResult[] => {
  const { ingest, consumer } = figures.requests;
  const sends = figures.requestDetail.product.ingest.new.sqs.send;
  const payment = consumer.payment;
  const targets: TargetResult[] = [
    {
      target: 'ingest, new request: at most 2 DynamoDB requests and 1 SQS send',
      met: ingest.new.dynamodb <= 2 && sends <= 1 && ingest.new.sqs <= 1,
      measured: describePair(ingest.new),
    },
    {
      target: 'ingest, replay: at most 1 DynamoDB request and no SQS request',
      met: ingest.replay.dynamodb <= 1 && ingest.replay.sqs === 0,
      measured: describePair(ingest.replay),
    },
  ];
  if (payment) {
    targets.push(
      {
        target:
          'payment consumer, new task: at most 2 DynamoDB requests, ledger included',
        met: payment.new.dynamodb <= 2,
        measured: describePair(payment.new),
      },
      {
        target:
          'payment consumer, duplicate delivery: at most 1 DynamoDB request',
        met: payment.duplicate.dynamodb <= 1,
        measured: describePair(payment.duplicate),
      },
    );
  }
  return targets;
};

const floorTargets = (figures: BenchFigures): TargetResult[] => {
  const atFloor = (
    scenario: string,
    product: RequestPair,
    floor: RequestPair,
  ) => ({
    target: `${scenario}: at the floor of the design (${describePair(floor)})`,
    met:
      product.dynamodb <= floor.dynamodb + EPSILON &&
      product.sqs <= floor.sqs + EPSILON,
    measured: describePair(product),
  });
  const { requests, floor } = figures;
  const targets = [
    atFloor(
      'ingest, new request',
      requests.ingest.new,
      floor.requests.ingest.new,
    ),
    atFloor(
      'ingest, replay',
      requests.ingest.replay,
      floor.requests.ingest.replay,
    ),
  ];
  for (const [name, scenarios] of Object.entries(requests.consumer)) {
    const floorOf = floor.requests.consumer[name];
    if (floorOf) {
      targets.push(
        atFloor(`${name} consumer, new task`, scenarios.new, floorOf.new),
        atFloor(
          `${name} consumer, duplicate delivery`,
          scenarios.duplicate,
          floorOf.duplicate,
        ),
      );
    }
  }
  return targets;
};

const designFloorTargets = (
  name: string,
  bundle: BundleFigures,
  floor: BundleFigures | undefined,
): TargetResult[] =>
  floor
    ? [
        {
          target: `${name} bundle: at most ${DESIGN_FLOOR_LIMIT} × the design floor (${floor.bytes} bytes)`,
          met: bundle.bytes <= floor.bytes * DESIGN_FLOOR_LIMIT,
          measured: `${bundle.bytes} bytes, ${round(bundle.bytes / floor.bytes)} ×`,
        },
        {
          target: `${name} load time: median at most ${DESIGN_FLOOR_LIMIT} × the design floor's (${round(floor.loadMs.median, 1)} ms)`,
          met: bundle.loadMs.median <= floor.loadMs.median * DESIGN_FLOOR_LIMIT,
          measured: `${round(bundle.loadMs.median, 1)} ms`,
        },
      ]
    : [];

/**
 * "No worse than the minimal consumer": the median over rounds of this
 * bundle's load time minus the minimal consumer's in the same round is
 * at most 0.
 */
const loadTarget = (
  name: string,
  bundle: BundleFigures,
  minimal: BundleFigures,
): TargetResult => {
  const difference = bundle.loadMinusMinimalMs?.median ?? Number.NaN;
  return {
    target: `${name} load time: no worse than the minimal consumer (${round(minimal.loadMs.median, 1)} ms), median difference in the same round at most 0`,
    met: difference <= 0,
    measured: `${round(bundle.loadMs.median, 1)} ms, ${difference >= 0 ? '+' : ''}${round(difference, 1)} ms`,
  };
};

const bundleTargets = (figures: BenchFigures): TargetResult[] => {
  const minimal = figures.bundles[MINIMAL_CONSUMER];
  const floor = figures.bundles[DESIGN_FLOOR_CONSUMER];
  if (!minimal) {
    return [];
  }
  const consumers = Object.entries(figures.bundles).filter(([name]) =>
    name.startsWith('consumer-'),
  );
  return consumers.flatMap(([name, bundle]) => [
    {
      target: `${name} bundle: at most ${BUNDLE_SIZE_LIMIT} × the minimal Powertools consumer (${minimal.bytes} bytes)`,
      met: bundle.bytes <= minimal.bytes * BUNDLE_SIZE_LIMIT,
      measured: `${bundle.bytes} bytes, ${round(bundle.bytes / minimal.bytes)} ×`,
    },
    loadTarget(name, bundle, minimal),
    ...designFloorTargets(name, bundle, floor),
  ]);
};

/**
 * Checks the emulator's busy share as the gate measured it during the run:
 * throughput over the rate that the emulator's own time per task allows.
 * The estimate from serial runs is reported next to it but rests on 20
 * serial tasks per class, so it moves by several points between runs.
 */
const throughputTargets = (figures: BenchFigures): TargetResult[] =>
  Object.entries(figures.throughput).map(([name, run]) => {
    const busy = run.product.emulatorBusyShare;
    return {
      target: `${name} throughput: at least ${THROUGHPUT_FLOOR * 100}% of what the emulator allows`,
      met: busy >= THROUGHPUT_FLOOR,
      measured: `${round(run.product.tasksPerSecond)} tasks/s, emulator busy ${round(busy * 100, 1)}% of the run`,
    };
  });

/** Checks every target against a run's figures. */
export const checkTargets = (figures: BenchFigures): TargetResult[] => [
  ...requestTargets(figures),
  ...floorTargets(figures),
  ...bundleTargets(figures),
  ...throughputTargets(figures),
];
