import {
  findTaskClass,
  type TaskClassDefinition,
} from '../../functions/shared/task-classes';
import { type Bundle, MINIMAL_CONSUMER } from './bundles';
import { type CostPerMillion, costPerMillion } from './cost';
import {
  consumerDuplicateFloor,
  consumerNewFloor,
  INGEST_NEW_FLOOR,
  INGEST_REPLAY_FLOOR,
  summarizeFloor,
} from './floor';
import type { Machine } from './machine';
import { PRICES } from './prices';
import {
  type CpuFigures,
  dynamodbTotal,
  type Mode,
  type RequestSummary,
  sqsTotal,
  type ThroughputFigures,
  type WorkerResult,
} from './results';
import { round, type Spread, spreadOf } from './stats';

/** DynamoDB and SQS requests per task, as `--json` reports them. */
export interface RequestPair {
  readonly dynamodb: number;
  readonly sqs: number;
}

/** Request pairs of every scenario. */
export interface RequestTable {
  readonly ingest: { readonly new: RequestPair; readonly replay: RequestPair };
  readonly consumer: Record<
    string,
    { readonly new: RequestPair; readonly duplicate: RequestPair }
  >;
}

/** Full request summaries of every scenario, for the detail tables. */
export interface RequestDetail {
  readonly ingest: {
    readonly new: RequestSummary;
    readonly replay: RequestSummary;
  };
  readonly consumer: Record<
    string,
    { readonly new: RequestSummary; readonly duplicate: RequestSummary }
  >;
}

/** A bundle with its load time. */
export interface BundleFigures {
  /** Bytes of all the bundle's files. */
  readonly bytes: number;
  /** Bytes of index.mjs and the chunks it imports statically. */
  readonly loadedBytes: number;
  readonly loadMs: Spread;
  /**
   * This bundle's load time minus the minimal consumer's in the same
   * round, over all rounds: a drift of the machine's speed during the run
   * moves both loads of a round alike and drops out.
   */
  readonly loadMinusMinimalMs?: Spread;
  readonly packages: Readonly<Record<string, number>>;
}

/** Everything one run measured, as `--json` prints it. */
export interface BenchFigures {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly requests: RequestTable;
  readonly baseline: { readonly requests: RequestTable };
  readonly floor: { readonly requests: RequestTable };
  readonly requestDetail: Record<Mode | 'floor', RequestDetail>;
  readonly cost: {
    readonly prices: typeof PRICES;
    readonly largestItemBytes: number;
    readonly writeUnitsPerItem: number;
    readonly perMillionTasks: Record<
      string,
      Record<Mode | 'floor', CostPerMillion>
    >;
  };
  readonly cpu: Record<
    Mode,
    {
      readonly ingest: {
        readonly new: CpuFigures;
        readonly replay: CpuFigures;
      };
      readonly consumer: Record<
        string,
        { readonly new: CpuFigures; readonly duplicate: CpuFigures }
      >;
    }
  >;
  readonly throughput: Record<
    string,
    Record<Mode, ThroughputFigures> & { readonly ratioToBaseline: number }
  >;
  readonly bundles: Record<string, BundleFigures>;
}

const pairOf = (summary: RequestSummary): RequestPair => ({
  dynamodb: round(dynamodbTotal(summary), 3),
  sqs: round(sqsTotal(summary), 3),
});

const definitionOf = (className: string): TaskClassDefinition<unknown> => {
  const definition = findTaskClass(className);
  if (!definition) {
    throw new Error(`unknown task class "${className}"`);
  }
  return definition;
};

const detailOf = (
  results: readonly WorkerResult[],
  mode: Mode,
): RequestDetail => {
  const ofMode = results.filter((result) => result.mode === mode);
  const first = ofMode[0];
  if (!first) {
    throw new Error(`no ${mode} results to report`);
  }
  // Ingest runs the same code for every class; the first class reports it.
  return {
    ingest: {
      new: first.requests.ingestNew,
      replay: first.requests.ingestReplay,
    },
    consumer: Object.fromEntries(
      ofMode.map((result) => [
        result.className,
        {
          new: result.requests.consumerNew,
          duplicate: result.requests.consumerDuplicate,
        },
      ]),
    ),
  };
};

const floorDetailOf = (classNames: readonly string[]): RequestDetail => ({
  ingest: {
    new: summarizeFloor(INGEST_NEW_FLOOR),
    replay: summarizeFloor(INGEST_REPLAY_FLOOR),
  },
  consumer: Object.fromEntries(
    classNames.map((name) => [
      name,
      {
        new: summarizeFloor(consumerNewFloor(definitionOf(name))),
        duplicate: summarizeFloor(consumerDuplicateFloor(definitionOf(name))),
      },
    ]),
  ),
});

const tableOf = (detail: RequestDetail): RequestTable => ({
  ingest: {
    new: pairOf(detail.ingest.new),
    replay: pairOf(detail.ingest.replay),
  },
  consumer: Object.fromEntries(
    Object.entries(detail.consumer).map(([name, scenarios]) => [
      name,
      { new: pairOf(scenarios.new), duplicate: pairOf(scenarios.duplicate) },
    ]),
  ),
});

const resultOf = (
  results: readonly WorkerResult[],
  className: string,
  mode: Mode,
): WorkerResult => {
  const result = results.find(
    (r) => r.className === className && r.mode === mode,
  );
  if (!result) {
    throw new Error(`no ${mode} result for class ${className}`);
  }
  return result;
};

const cpuOf = (results: readonly WorkerResult[], mode: Mode) => {
  const ofMode = results.filter((result) => result.mode === mode);
  const first = ofMode[0] as WorkerResult;
  return {
    ingest: { new: first.cpu.ingestNew, replay: first.cpu.ingestReplay },
    consumer: Object.fromEntries(
      ofMode.map((result) => [
        result.className,
        {
          new: result.cpu.consumerNew,
          duplicate: result.cpu.consumerDuplicate,
        },
      ]),
    ),
  };
};

/** Builds the figures of a run from the workers' and the bundles' results. */
export const buildFigures = (input: {
  date: Date;
  command: string;
  machine: Machine;
  classNames: readonly string[];
  results: readonly WorkerResult[];
  bundles: readonly Bundle[];
  loadTimes: Record<string, readonly number[]>;
}): BenchFigures => {
  const detail = {
    product: detailOf(input.results, 'product'),
    baseline: detailOf(input.results, 'baseline'),
    floor: floorDetailOf(input.classNames),
  };
  const largestItemBytes = Math.max(
    ...input.results.map((result) => result.maxItemBytes),
  );
  const writeUnitsPerItem = Math.ceil(largestItemBytes / 1024);

  const costOf = (className: string, mode: Mode | 'floor') => {
    const definition = definitionOf(className);
    const cpuMode = mode === 'floor' ? 'product' : mode;
    const cpu = resultOf(input.results, className, cpuMode).cpu;
    return costPerMillion({
      ingest: detail[mode].ingest.new,
      consumer: detail[mode].consumer[className]?.new as RequestSummary,
      invocations: 1 + 1 / definition.consumer.batchSize,
      cpuUs: cpu.ingestNew.meanUs + cpu.consumerNew.meanUs,
      writeUnitsPerItem,
    });
  };

  return {
    date: input.date.toISOString(),
    command: input.command,
    machine: input.machine,
    requests: tableOf(detail.product),
    baseline: { requests: tableOf(detail.baseline) },
    floor: { requests: tableOf(detail.floor) },
    requestDetail: detail,
    cost: {
      prices: PRICES,
      largestItemBytes,
      writeUnitsPerItem,
      perMillionTasks: Object.fromEntries(
        input.classNames.map((name) => [
          name,
          {
            product: costOf(name, 'product'),
            baseline: costOf(name, 'baseline'),
            floor: costOf(name, 'floor'),
          },
        ]),
      ),
    },
    cpu: {
      product: cpuOf(input.results, 'product'),
      baseline: cpuOf(input.results, 'baseline'),
    },
    throughput: Object.fromEntries(
      input.classNames.map((name) => {
        const product = resultOf(input.results, name, 'product').throughput;
        const baseline = resultOf(input.results, name, 'baseline').throughput;
        return [
          name,
          {
            product,
            baseline,
            ratioToBaseline: product.tasksPerSecond / baseline.tasksPerSecond,
          },
        ];
      }),
    ),
    bundles: Object.fromEntries(
      input.bundles.map((bundle) => {
        const samples = input.loadTimes[bundle.name] ?? [];
        const minimal = input.loadTimes[MINIMAL_CONSUMER];
        return [
          bundle.name,
          {
            bytes: bundle.bytes,
            loadedBytes: bundle.loadedBytes,
            loadMs: spreadOf(samples),
            ...(minimal && {
              loadMinusMinimalMs: spreadOf(
                samples.map((ms, round) => ms - (minimal[round] ?? Number.NaN)),
              ),
            }),
            packages: bundle.packages,
          },
        ];
      }),
    ),
  };
};
