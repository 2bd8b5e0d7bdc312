import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';

/**
 * Turns CloudWatch embedded metric format (EMF) log lines into metrics, as
 * CloudWatch Logs does for Lambda functions in AWS, so that metrics
 * emitted on the local runtime can be read back with GetMetricData.
 */

/** Maximum number of data points in one PutMetricData request. */
const MAX_DATA_PER_REQUEST = 1_000;

/** One metric directive of an EMF object (`_aws.CloudWatchMetrics[]`). */
interface MetricDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

/** Metric data of one namespace, as PutMetricData takes it. */
export interface NamespacedMetricData {
  readonly namespace: string;
  readonly data: MetricDatum[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Returns the EMF object in a log line, or undefined when there is none. */
export const parseEmfLine = (
  line: string,
): Record<string, unknown> | undefined => {
  const text = line.trim();
  if (!text.startsWith('{')) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed._aws)) {
    return undefined;
  }
  return Array.isArray(parsed._aws.CloudWatchMetrics) ? parsed : undefined;
};

/** Returns the values of a metric: EMF allows one number or an array. */
const valuesOf = (value: unknown): number[] => {
  const values = Array.isArray(value) ? value : [value];
  return values.filter(
    (item): item is number => typeof item === 'number' && Number.isFinite(item),
  );
};

/**
 * Returns the dimensions of one dimension set, or undefined when a
 * dimension has no string value in the object, which CloudWatch rejects.
 */
const dimensionsOf = (
  names: unknown,
  emf: Record<string, unknown>,
): { Name: string; Value: string }[] | undefined => {
  if (!Array.isArray(names)) {
    return undefined;
  }
  const dimensions = names.map((name) => ({
    Name: String(name),
    Value: emf[String(name)],
  }));
  return dimensions.every((dimension) => typeof dimension.Value === 'string')
    ? (dimensions as { Name: string; Value: string }[])
    : undefined;
};

/** Builds the metric data of one directive: every metric, dimension set and value. */
const dataOfDirective = (
  directive: MetricDirective,
  emf: Record<string, unknown>,
  timestamp: Date,
): MetricDatum[] => {
  const metrics = Array.isArray(directive.Metrics) ? directive.Metrics : [];
  const sets = Array.isArray(directive.Dimensions) ? directive.Dimensions : [];
  const dimensionSets = (sets.length === 0 ? [[]] : sets)
    .map((names) => dimensionsOf(names, emf))
    .filter((set) => set !== undefined);

  return metrics.filter(isRecord).flatMap((metric) => {
    const name = String(metric.Name);
    return dimensionSets.flatMap((dimensions) =>
      valuesOf(emf[name]).map(
        (value): MetricDatum => ({
          MetricName: name,
          Dimensions: dimensions,
          Value: value,
          Unit: (metric.Unit as StandardUnit | undefined) ?? 'None',
          StorageResolution: metric.StorageResolution === 1 ? 1 : undefined,
          Timestamp: timestamp,
        }),
      ),
    );
  });
};

/**
 * Converts an EMF object into PutMetricData input, one entry per
 * namespace. Each value of each metric becomes one datum per dimension
 * set, with the object's timestamp, or now when it has none.
 */
export const metricDataOfEmf = (
  emf: Record<string, unknown>,
  now: Date = new Date(),
): NamespacedMetricData[] => {
  const aws = emf._aws as Record<string, unknown>;
  const timestamp =
    typeof aws.Timestamp === 'number' ? new Date(aws.Timestamp) : now;
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const directive of aws.CloudWatchMetrics as unknown[]) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string') {
      continue;
    }
    const data = byNamespace.get(directive.Namespace) ?? [];
    data.push(...dataOfDirective(directive, emf, timestamp));
    byNamespace.set(directive.Namespace, data);
  }
  return [...byNamespace.entries()]
    .filter(([, data]) => data.length > 0)
    .map(([namespace, data]) => ({ namespace, data }));
};

let sharedClient: CloudWatchClient | undefined;

/** Returns a client with the standard AWS settings, created on first use. */
const defaultClient = (): CloudWatchClient => {
  sharedClient ??= new CloudWatchClient({});
  return sharedClient;
};

/**
 * Sends the metrics of one log line to CloudWatch with PutMetricData, if
 * the line is an EMF object, and returns the number of data points sent
 * (0 for any other line).
 * @throws the SDK's error when CloudWatch rejects the request
 */
export const forwardEmfLine = async (
  line: string,
  client: CloudWatchClient = defaultClient(),
): Promise<number> => {
  const emf = parseEmfLine(line);
  if (!emf) {
    return 0;
  }
  let sent = 0;
  for (const { namespace, data } of metricDataOfEmf(emf)) {
    for (let start = 0; start < data.length; start += MAX_DATA_PER_REQUEST) {
      const batch = data.slice(start, start + MAX_DATA_PER_REQUEST);
      await client.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }),
      );
      sent += batch.length;
    }
  }
  return sent;
};
