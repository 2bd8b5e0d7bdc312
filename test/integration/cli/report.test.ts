import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  forwardEmfLine,
  metricDataOfEmf,
  parseEmfLine,
} from '../../../scripts/local/emf-forwarder';
import { lambdaContext } from '../../support/api-event';
import {
  startTestEnvironment,
  type TestEnvironment,
} from '../../support/emulator';
import { newPayment, Pipeline, runEkbar, runEkbarInProcess } from './harness';

// NOTE: moto 5.2 differs from CloudWatch in ways these tests avoid
// depending on. GetMetricStatistics and GetMetricData match every metric
// whose dimensions include the requested ones, where CloudWatch matches
// the exact dimension set. The CLI always queries the full set (service,
// TaskClass, Layer), so both return the same sums. ListMetrics returns a
// metric once per data point, not once per metric, and the CLI does not
// call it.

let environment: TestEnvironment;
let pipeline: Pipeline;
const emitted: string[] = [];

/** Runs `action` with Powertools metrics on, collecting the EMF lines it prints. */
const collectEmf = async (action: () => Promise<void>): Promise<void> => {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  // Other output is dropped meanwhile; function logs are silent in tests.
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (parseEmfLine(line)) {
          emitted.push(line);
        }
      }
      return true;
    });
  try {
    await action();
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
};

/** Sums the DuplicatesSuppressed values of the collected lines by class and layer. */
const expectedCounts = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const line of emitted) {
    const emf = parseEmfLine(line) as Record<string, unknown>;
    const value = emf.DuplicatesSuppressed;
    if (typeof value === 'number') {
      const key = `${emf.TaskClass}/${emf.Layer}`;
      counts.set(key, (counts.get(key) ?? 0) + value);
    }
  }
  return counts;
};

/** Makes every layer stop at least one duplicate payment. */
const stopDuplicatesAtEveryLayer = async (): Promise<void> => {
  const payment = newPayment();
  const key = `k-${payment.paymentId}`;
  await pipeline.submit('payment', payment, key);
  // The same key and body: the API replays its stored response.
  await pipeline.submit('payment', payment, key);
  await pipeline.submit('payment', payment, key);
  // Another key for the same business task: ingest finds the task.
  await pipeline.submit('payment', payment, `${key}-again`);
  const { event } = await pipeline.deliver('payment');
  const consumer = pipeline.consumer('payment');
  // A redelivery: the consumer's idempotency record is completed.
  await consumer(event, lambdaContext('consumer-payment'));
  // Without that record, the effect guard stops the repeat.
  const dynamodb = new DynamoDBClient({});
  const { Items } = await dynamodb.send(
    new ScanCommand({ TableName: 'ekbar-idempotency' }),
  );
  for (const item of Items ?? []) {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: 'ekbar-idempotency',
        Key: { id: item.id as AttributeValue },
      }),
    );
  }
  await consumer(event, lambdaContext('consumer-payment'));
};

interface ReportRow {
  taskClass: string;
  layer: string;
  suppressed: number;
  valueInr: number;
}

beforeAll(async () => {
  environment = await startTestEnvironment();
  pipeline = new Pipeline(environment);
  await collectEmf(stopDuplicatesAtEveryLayer);
  for (const line of emitted) {
    await forwardEmfLine(line);
  }
  // moto truncates EndTime to whole seconds, so a report run within the
  // second of the last data point would miss it.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
});

afterAll(async () => {
  await environment?.stop();
});

describe('emf forwarder', () => {
  it('ignores lines that are not EMF', async () => {
    expect(
      await forwardEmfLine('{"level":"INFO","message":"task accepted"}'),
    ).toBe(0);
    expect(await forwardEmfLine('not json')).toBe(0);
  });

  it('keeps namespace, dimensions, unit and timestamp', () => {
    const [entry] = metricDataOfEmf({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'ekbar',
            Dimensions: [['service', 'TaskClass']],
            Metrics: [{ Name: 'TasksCompleted', Unit: 'Count' }],
          },
        ],
      },
      service: 'ekbar',
      TaskClass: 'payment',
      TasksCompleted: [1, 2],
    });

    expect(entry?.namespace).toBe('ekbar');
    expect(entry?.data).toEqual(
      [1, 2].map((value) => ({
        MetricName: 'TasksCompleted',
        Dimensions: [
          { Name: 'service', Value: 'ekbar' },
          { Name: 'TaskClass', Value: 'payment' },
        ],
        Value: value,
        Unit: 'Count',
        StorageResolution: undefined,
        Timestamp: new Date(1_700_000_000_000),
      })),
    );
  });
});

describe('ekbar report impact', () => {
  it('matches the emitted DuplicatesSuppressed metrics', async () => {
    const expected = expectedCounts();
    expect([...expected.keys()].sort()).toEqual([
      'payment/api-replay',
      'payment/consumer-idempotency',
      'payment/effect-guard',
      'payment/ingest-business-key',
    ]);

    const run = await runEkbar(['report', 'impact', '--since', '1h', '--json']);

    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const rows = report.rows as ReportRow[];
    const keyOf = (row: ReportRow) => `${row.taskClass}/${row.layer}`;
    expect(
      Object.fromEntries(rows.map((row) => [keyOf(row), row.suppressed])),
    ).toEqual(
      Object.fromEntries(
        rows.map((row) => [keyOf(row), expected.get(keyOf(row)) ?? 0]),
      ),
    );
    for (const row of rows) {
      expect(row.valueInr).toBe(row.suppressed * 5_500);
    }
    const total = [...expected.values()].reduce((sum, value) => sum + value, 0);
    expect(report.total).toEqual({
      suppressed: total,
      valueInr: total * 5_500,
    });
  });

  it('values duplicates with the given costs', async () => {
    const total = [...expectedCounts().values()].reduce((a, b) => a + b, 0);

    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--since',
      '1h',
      '--class',
      'payment',
      '--refund-cost',
      '100',
      '--churn-cost',
      '0',
      '--investigation-cost',
      '10',
      '--json',
    ]);

    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.costPerDuplicateInr).toBe(110);
    expect(report.byClass).toEqual([
      { taskClass: 'payment', suppressed: total, valueInr: total * 110 },
    ]);
  });

  it('prints rupee values for people', async () => {
    const run = await runEkbarInProcess(['report', 'impact']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('valued at ₹5,500 each');
    expect(run.stdout).toMatch(/^CLASS\s+LAYER\s+SUPPRESSED\s+VALUE$/m);
    expect(run.stdout).toMatch(/payment\s+effect-guard\s+1\s+₹5,500/);
  });

  it('counts nothing outside the time range', async () => {
    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--since',
      '2w',
      '--until',
      '1w',
      '--json',
    ]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).total.suppressed).toBe(0);
  });

  it('rejects a start after the end', async () => {
    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--since',
      '1h',
      '--until',
      '2h',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--since \(.*\) must be before --until/);
  });

  it('reports an invalid range only as JSON with --json', async () => {
    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--since',
      '1h',
      '--until',
      '2h',
      '--json',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe('');
    const { error } = JSON.parse(run.stdout);
    expect(error.code).toBe('invalid-value');
    expect(error.message).toMatch(/--since \(.*\) must be before --until/);
  });

  it('rejects a range shorter than a second', async () => {
    const run = await runEkbarInProcess(['report', 'impact', '--since', 'now']);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--since \(.*\) must be before --until/);
  });

  it('names an invalid time', async () => {
    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--since',
      'yesterday',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('"yesterday" is not a time');
  });

  it('names an invalid cost', async () => {
    const run = await runEkbarInProcess([
      'report',
      'impact',
      '--churn-cost',
      '3.5k',
    ]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('"3.5k" is not a whole number of rupees');
  });
});
