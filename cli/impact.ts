import {
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  type DuplicateLayer,
  METRIC,
  METRICS_NAMESPACE,
} from '../functions/shared/metrics';
import { cloudWatchClient } from './aws';
import type { TimeRange } from './time-range';

/**
 * Every layer that stops a duplicate, with what it means. Typed as a
 * record so that a layer added to DuplicateLayer must be added here.
 */
export const SUPPRESSION_LAYERS: Readonly<Record<DuplicateLayer, string>> = {
  'api-replay':
    'API replayed the stored response of a repeated Idempotency-Key',
  'ingest-business-key': 'ingest found a task for the business key already',
  'consumer-idempotency': "consumer's Powertools record was already completed",
  'effect-guard': 'conditional write found the effect already applied',
};

const LAYERS = Object.keys(SUPPRESSION_LAYERS) as DuplicateLayer[];

/** Cost of one duplicate that reaches a customer, in whole rupees. */
export interface IncidentCosts {
  readonly refund: number;
  readonly churn: number;
  readonly investigation: number;
}

/**
 * Costs of one duplicate order as operators in north-east India report
 * them: ₹1,200 of refund processing, ₹3,500 to replace a churned customer
 * and ₹800 of investigation.
 */
export const DEFAULT_INCIDENT_COSTS: IncidentCosts = {
  refund: 1_200,
  churn: 3_500,
  investigation: 800,
};

/** Duplicates one layer stopped for one task class. */
export interface SuppressedCount {
  readonly taskClass: string;
  readonly layer: DuplicateLayer;
  readonly suppressed: number;
}

/** Maximum number of queries in one GetMetricData request. */
const MAX_QUERIES = 500;

const DAY_MS = 86_400_000;

/**
 * Returns the period step in seconds that CloudWatch uses for data of this
 * age: 60 s, or 300 s and 3,600 s for data older than 15 and 63 days (see
 * StartTime in the GetMetricData API reference).
 */
const periodStepOf = (since: Date, now: Date): number => {
  const ageMs = now.getTime() - since.getTime();
  if (ageMs > 63 * DAY_MS) {
    return 3_600;
  }
  if (ageMs > 15 * DAY_MS) {
    return 300;
  }
  return 60;
};

/**
 * Returns one period that spans the whole range, in seconds. CloudWatch
 * rounds the start time down to a multiple of the period step, so the
 * period is measured from that rounded start to reach the end of the range.
 */
export const periodSecondsOf = (range: TimeRange, now: Date): number => {
  const step = periodStepOf(range.since, now);
  const stepMs = step * 1000;
  const roundedStart = Math.floor(range.since.getTime() / stepMs) * stepMs;
  const seconds = (range.until.getTime() - roundedStart) / 1000;
  return Math.max(step, Math.ceil(seconds / step) * step);
};

interface CountQuery {
  readonly query: MetricDataQuery;
  readonly taskClass: string;
  readonly layer: DuplicateLayer;
}

/**
 * Builds one Sum query per class and layer. The dimensions must match the
 * emitted set exactly, because CloudWatch treats each dimension set as its
 * own metric: Powertools adds the `service` dimension to every metric.
 */
const countQueries = (
  classes: readonly string[],
  service: string,
  periodSeconds: number,
): CountQuery[] =>
  classes.flatMap((taskClass, classIndex) =>
    LAYERS.map((layer, layerIndex) => ({
      taskClass,
      layer,
      query: {
        Id: `q${classIndex}_${layerIndex}`,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: METRICS_NAMESPACE,
            MetricName: METRIC.duplicateSuppressed,
            Dimensions: [
              { Name: 'service', Value: service },
              { Name: 'TaskClass', Value: taskClass },
              { Name: 'Layer', Value: layer },
            ],
          },
          Period: periodSeconds,
          Stat: 'Sum',
        },
      },
    })),
  );

/** Runs queries in as few requests as CloudWatch allows, summing each. */
const sumQueries = async (
  queries: readonly MetricDataQuery[],
  range: TimeRange,
): Promise<Map<string, number>> => {
  const sums = new Map<string, number>();
  for (let start = 0; start < queries.length; start += MAX_QUERIES) {
    let nextToken: string | undefined;
    do {
      const page = await cloudWatchClient.send(
        new GetMetricDataCommand({
          StartTime: range.since,
          EndTime: range.until,
          MetricDataQueries: queries.slice(start, start + MAX_QUERIES),
          NextToken: nextToken,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const total = (result.Values ?? []).reduce((sum, v) => sum + v, 0);
        sums.set(result.Id ?? '', (sums.get(result.Id ?? '') ?? 0) + total);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return sums;
};

/**
 * Reads the DuplicatesSuppressed metric per task class and layer over a
 * time range, one row per pair, zeros included.
 */
export const readSuppressedDuplicates = async (input: {
  readonly range: TimeRange;
  readonly classes: readonly string[];
  /** Powertools `service` dimension of the functions. */
  readonly service: string;
  readonly now?: Date;
}): Promise<SuppressedCount[]> => {
  const period = periodSecondsOf(input.range, input.now ?? new Date());
  const queries = countQueries(input.classes, input.service, period);
  const sums = await sumQueries(
    queries.map((entry) => entry.query),
    input.range,
  );
  return queries.map((entry) => ({
    taskClass: entry.taskClass,
    layer: entry.layer,
    suppressed: sums.get(entry.query.Id ?? '') ?? 0,
  }));
};

/** A count valued in rupees. */
export interface ValuedCount {
  readonly suppressed: number;
  readonly valueInr: number;
}

/** The impact report: duplicates stopped and what they would have cost. */
export interface ImpactReport {
  readonly since: string;
  readonly until: string;
  readonly costs: IncidentCosts;
  /** Sum of the incident costs, in whole rupees. */
  readonly costPerDuplicateInr: number;
  readonly rows: readonly (SuppressedCount & ValuedCount)[];
  readonly byClass: readonly ({ readonly taskClass: string } & ValuedCount)[];
  readonly total: ValuedCount;
}

/**
 * Values every suppressed duplicate at the sum of the incident costs.
 * The same cost applies to every class, and it is an estimate per
 * incident, not a measured loss.
 */
export const buildImpactReport = (
  counts: readonly SuppressedCount[],
  range: TimeRange,
  costs: IncidentCosts,
): ImpactReport => {
  const perDuplicate = costs.refund + costs.churn + costs.investigation;
  const valued = (suppressed: number): ValuedCount => ({
    suppressed,
    valueInr: suppressed * perDuplicate,
  });
  const classes = [...new Set(counts.map((count) => count.taskClass))];
  const sumOf = (rows: readonly SuppressedCount[]): number =>
    rows.reduce((sum, row) => sum + row.suppressed, 0);

  return {
    since: range.since.toISOString(),
    until: range.until.toISOString(),
    costs,
    costPerDuplicateInr: perDuplicate,
    rows: counts.map((count) => ({ ...count, ...valued(count.suppressed) })),
    byClass: classes.map((taskClass) => ({
      taskClass,
      ...valued(sumOf(counts.filter((count) => count.taskClass === taskClass))),
    })),
    total: valued(sumOf(counts)),
  };
};
