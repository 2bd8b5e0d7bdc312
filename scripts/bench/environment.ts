import { ENV } from '../../functions/shared/resources';
import {
  startTestEnvironment,
  type TestEnvironment,
  useConsumerEnvironment,
} from '../../test/support/emulator';
import type { Mode } from './results';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

const isLoopback = (url: string): boolean =>
  LOOPBACK_HOSTS.has(new URL(url).hostname);

/**
 * Starts a private moto_server on loopback for one worker and sets the
 * environment of the ingest function and of one class's consumer. It
 * ignores any endpoint or credentials of the calling shell, so the
 * benchmark can never reach real AWS or another host.
 */
export const startBenchEnvironment = async (input: {
  mode: Mode;
  className: string;
  providerUrl: string;
}): Promise<TestEnvironment> => {
  delete process.env.EKBAR_TEST_ENDPOINT;
  delete process.env.AWS_ENDPOINT_URL;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'ap-south-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The level the stack sets, so that log lines cost what they cost in
  // Lambda; the worker's standard output goes nowhere.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

  if (!isLoopback(input.providerUrl)) {
    throw new Error(
      `provider URL ${input.providerUrl} is not on loopback; the benchmark only sends to its own provider`,
    );
  }

  const environment = await startTestEnvironment({
    [ENV.notificationProviderUrl]: input.providerUrl,
  });
  if (!isLoopback(environment.emulator.endpoint)) {
    await environment.stop();
    throw new Error(
      `emulator endpoint ${environment.emulator.endpoint} is not on loopback; the benchmark only runs against its own moto_server`,
    );
  }
  useConsumerEnvironment(environment, input.className);
  if (input.mode === 'baseline') {
    process.env[ENV.protection] = 'off';
  } else {
    delete process.env[ENV.protection];
  }
  return environment;
};
