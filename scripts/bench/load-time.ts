import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ENV } from '../../functions/shared/resources';
import { commonFunctionEnvironment } from '../local/provision';
import type { Bundle } from './bundles';

const run = promisify(execFile);

/** Imports the bundle named by BENCH_BUNDLE_URL and prints the time taken. */
const LOAD_SCRIPT = `
const started = performance.now();
await import(process.env.BENCH_BUNDLE_URL);
process.stdout.write(String(performance.now() - started));
`;

/**
 * Environment of a loading function: the variables it reads at load time,
 * dummy credentials, and an endpoint on a closed loopback port. Loading
 * sends no request, and nothing from the calling shell is passed on.
 */
const loadEnvironment = (bundle: Bundle): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_REGION: 'ap-south-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  ...commonFunctionEnvironment(),
  [ENV.queueUrl]: 'http://127.0.0.1:9/123456789012/bench.fifo',
  [ENV.dlqUrl]: 'http://127.0.0.1:9/123456789012/bench-dlq.fifo',
  IDEMPOTENCY_TABLE: 'ekbar-idempotency',
  BENCH_BUNDLE_URL: pathToFileURL(bundle.file).href,
});

const loadOnce = async (bundle: Bundle): Promise<number> => {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', LOAD_SCRIPT],
    { env: loadEnvironment(bundle) },
  );
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) {
    throw new Error(`loading ${bundle.name} printed "${stdout}", not a time`);
  }
  return ms;
};

/**
 * Measures each bundle's load time, the cold-start work that is ours:
 * reading, compiling and running the module, which constructs its AWS
 * clients. Every load is a new Node.js process, and the bundles take
 * turns so that a slow moment of the machine hits all of them alike.
 * Returns the samples in round order, so that sample i of two bundles
 * comes from the same round and the two can be compared pair by pair.
 */
export const measureLoadTimes = async (
  bundles: readonly Bundle[],
  runs: number,
  onRound: (round: number) => void = () => {},
): Promise<Record<string, number[]>> => {
  const samples = new Map(
    bundles.map((bundle) => [bundle.name, [] as number[]]),
  );
  for (let round = 0; round < runs; round += 1) {
    for (const bundle of bundles) {
      samples.get(bundle.name)?.push(await loadOnce(bundle));
    }
    onRound(round + 1);
  }
  return Object.fromEntries(samples);
};
