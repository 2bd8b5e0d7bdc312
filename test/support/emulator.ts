import {
  type Emulator,
  startEmulator,
  useEmulatorEnvironment,
} from '../../scripts/local/emulator';
import {
  consumerEnvironment,
  ingestEnvironment,
  type Provisioned,
  provision,
} from '../../scripts/local/provision';

/** An emulator with every queue and table, private to one test file. */
export interface TestEnvironment {
  readonly emulator: Emulator;
  readonly provisioned: Provisioned;
  queuesOf(className: string): Provisioned['queues'][number];
  stop(): Promise<void>;
}

/**
 * Starts a private moto_server, points this worker's AWS SDK at it and
 * creates every queue and table. It also sets the variables every function
 * reads, so handlers imported after this call use the emulator.
 *
 * Set EKBAR_TEST_ENDPOINT to run against an emulator that is already
 * running (LocalStack, for example); test files then share its resources.
 */
export const startTestEnvironment = async (
  extraEnvironment: Record<string, string> = {},
): Promise<TestEnvironment> => {
  const shared = process.env.EKBAR_TEST_ENDPOINT;
  if (shared) {
    process.env.AWS_ENDPOINT_URL = shared;
  } else {
    delete process.env.AWS_ENDPOINT_URL;
  }
  const emulator = await startEmulator();
  useEmulatorEnvironment(emulator.endpoint);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

  const provisioned = await provision();
  Object.assign(process.env, ingestEnvironment(provisioned), extraEnvironment);

  const queuesOf = (className: string) => {
    const queues = provisioned.queues.find((q) => q.className === className);
    if (!queues) {
      throw new Error(`no queues were provisioned for class ${className}`);
    }
    return queues;
  };
  return {
    emulator,
    provisioned,
    queuesOf,
    stop: () => emulator.stop(),
  };
};

/** Sets the environment of one consumer in this worker. */
export const useConsumerEnvironment = (
  environment: TestEnvironment,
  className: string,
): void => {
  Object.assign(
    process.env,
    consumerEnvironment(environment.queuesOf(className)),
  );
};
