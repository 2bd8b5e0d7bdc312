import { bundleAll } from '../../scripts/bundle';
import {
  startEmulator,
  useEmulatorEnvironment,
} from '../../scripts/local/emulator';

declare global {
  var ekbarEmulatorStop: (() => Promise<void>) | undefined;
}

/**
 * Bundles the functions and starts one moto_server for the whole run. The
 * endpoint reaches the test workers through AWS_ENDPOINT_URL, which the
 * AWS SDK reads.
 */
export default async function globalSetup(): Promise<void> {
  await bundleAll();
  const emulator = await startEmulator();
  useEmulatorEnvironment(emulator.endpoint);
  globalThis.ekbarEmulatorStop = emulator.stop;
}
