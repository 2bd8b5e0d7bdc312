import { ENV } from '../../functions/shared/resources';
import {
  startTestEnvironment,
  type TestEnvironment,
  useConsumerEnvironment,
} from '../../test/support/emulator';
import { isLoopbackUrl, startEmulator } from '../local/emulator';
import { startEmulatorGate } from './emulator-gate';
import type { Mode } from './results';

/**
 * Starts a private moto_server on loopback for one worker, with the
 * emulator gate in front of it, and sets the environment of the ingest
 * function and of one class's consumer. Every AWS client created after
 * this call sends through the gate. It ignores any endpoint or credentials
 * of the calling shell, so the benchmark can never reach real AWS or
 * another host.
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

  if (!isLoopbackUrl(input.providerUrl)) {
    throw new Error(
      `provider URL ${input.providerUrl} is not on loopback; the benchmark only sends to its own provider`,
    );
  }

  // Queue URLs name the host that created the queues, and the SQS client
  // sends to that host, so the queues are created through the gate too.
  const emulator = await startEmulator({ ignoreEnvironment: true });
  const stops: (() => Promise<void>)[] = [emulator.stop];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
  };
  try {
    if (!isLoopbackUrl(emulator.endpoint)) {
      throw new Error(
        `emulator endpoint ${emulator.endpoint} is not on loopback; the benchmark only runs against its own moto_server`,
      );
    }
    const gate = await startEmulatorGate(emulator.endpoint);
    stops.push(gate.stop);
    process.env.EKBAR_TEST_ENDPOINT = gate.endpoint;
    const environment = await startTestEnvironment({
      [ENV.notificationProviderUrl]: input.providerUrl,
    });
    useConsumerEnvironment(environment, input.className);
    if (input.mode === 'baseline') {
      process.env[ENV.protection] = 'off';
    } else {
      delete process.env[ENV.protection];
    }
    return { ...environment, emulator, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
