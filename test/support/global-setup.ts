import { bundleAll } from '../../scripts/bundle';

/**
 * Bundles the functions once for the whole run. Each test file that needs
 * AWS starts its own emulator (see emulator.ts beside this file), so test
 * files running in parallel never share a queue.
 */
export default async function globalSetup(): Promise<void> {
  await bundleAll();
}
