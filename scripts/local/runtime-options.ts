import type { Logger } from '@aws-lambda-powertools/logger';
import { ENV } from '../../functions/shared/resources';

/** API port unless EKBAR_PORT or the `port` option sets one. */
export const DEFAULT_PORT = 3000;

/** API key accepted unless EKBAR_API_KEYS or the `apiKeys` option sets others. */
export const DEFAULT_API_KEY = 'local-dev-key';

/** Options of the local runtime; every one has a default. */
export interface LocalRuntimeOptions {
  /** API port on 127.0.0.1; 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** Accepted `x-api-key` values; the first is the one examples use. @default ['local-dev-key'] */
  readonly apiKeys?: readonly string[];
  /** Pollers, and so consumer processes, per task class. @default 2 */
  readonly pollersPerClass?: number;
  /** Ingest processes, the API's concurrency. @default 2 */
  readonly ingestConcurrency?: number;
  /** Long poll of each ReceiveMessage in seconds, 0 to 20. @default 2 */
  readonly waitTimeSeconds?: number;
  /**
   * Minor units above which a payment is held for review, passed to the
   * payment consumer. @default unset, so the consumer's own default applies
   */
  readonly paymentReviewLimitMinor?: number;
  /** Mock provider port on 127.0.0.1; 0 picks a free port. @default 0 */
  readonly providerPort?: number;
  /** Share of provider requests, 0 to 1, rejected with 503. @default 0 */
  readonly providerFailureRate?: number;
  /**
   * Folder with one `NAME/index.mjs` per function.
   * @default dist/functions, built by bundleAll
   */
  readonly bundleRoot?: string;
  /**
   * Whether to run bundleAll first, which rebuilds dist/functions. Set it
   * to false when the bundles are fresh, for example in tests after the
   * global setup bundled them. @default true unless bundleRoot is set
   */
  readonly bundle?: boolean;
  /** Extra variables given to every function, for example EKBAR_PROTECTION. */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** Receives each line the functions log. @default the runtime's stdout */
  readonly functionOutput?: (line: string) => void;
  /** Logger of the runtime's own lines. @default service `ekbar-local` */
  readonly logger?: Logger;
}

type Environment = Readonly<Record<string, string | undefined>>;

const integerOf = (
  env: Environment,
  name: string,
  range: { min: number; max: number },
): number | undefined => {
  const text = env[name];
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new RangeError(
      `${name} must be an integer from ${range.min} to ${range.max}, got "${text}"; fix or unset it`,
    );
  }
  return value;
};

const rateOf = (env: Environment, name: string): number | undefined => {
  const text = env[name];
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(
      `${name} must be a number from 0 to 1, got "${text}"; fix or unset it`,
    );
  }
  return value;
};

const apiKeysOf = (env: Environment): string[] | undefined => {
  const text = env.EKBAR_API_KEYS;
  if (text === undefined) {
    return undefined;
  }
  const keys = text
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) {
    throw new RangeError(
      'EKBAR_API_KEYS contains no key; set it to a comma-separated list of keys or unset it',
    );
  }
  return keys;
};

/**
 * Reads the runtime options from environment variables: EKBAR_PORT,
 * EKBAR_API_KEYS (comma-separated), EKBAR_POLLERS_PER_CLASS,
 * EKBAR_INGEST_CONCURRENCY, EKBAR_PAYMENT_REVIEW_LIMIT_MINOR,
 * EKBAR_PROVIDER_PORT, EKBAR_PROVIDER_FAILURE_RATE and EKBAR_BUNDLE_ROOT
 * (a folder of prebuilt bundles, which skips bundling). EKBAR_PROTECTION
 * is passed through to every function when set.
 * @throws RangeError naming the variable when a value is invalid
 */
export const runtimeOptionsFromEnvironment = (
  env: Environment = process.env,
): LocalRuntimeOptions => {
  const protection = env[ENV.protection];
  const bundleRoot = env.EKBAR_BUNDLE_ROOT || undefined;
  return {
    port: integerOf(env, 'EKBAR_PORT', { min: 0, max: 65_535 }),
    apiKeys: apiKeysOf(env),
    pollersPerClass: integerOf(env, 'EKBAR_POLLERS_PER_CLASS', {
      min: 1,
      max: 50,
    }),
    ingestConcurrency: integerOf(env, 'EKBAR_INGEST_CONCURRENCY', {
      min: 1,
      max: 50,
    }),
    paymentReviewLimitMinor: integerOf(env, ENV.paymentReviewLimit, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    }),
    providerPort: integerOf(env, 'EKBAR_PROVIDER_PORT', {
      min: 0,
      max: 65_535,
    }),
    providerFailureRate: rateOf(env, 'EKBAR_PROVIDER_FAILURE_RATE'),
    bundleRoot,
    functionEnvironment:
      protection === undefined ? undefined : { [ENV.protection]: protection },
  };
};
