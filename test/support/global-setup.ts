import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAll } from '../../scripts/bundle';

/** Variable that names the folder of this run's CDK cloud assemblies. */
export const CDK_ROOT_ENV = 'EKBAR_TEST_CDK_ROOT';

/**
 * Bundles the functions once for the whole run. Each test file that needs
 * AWS starts its own emulator (see emulator.ts beside this file), so test
 * files running in parallel never share a queue. The workers inherit a
 * folder for the CDK apps' output, which the global teardown deletes.
 * Without it, every App would leave a cdk.out folder in the system's temp
 * folder.
 */
export default async function globalSetup(): Promise<void> {
  process.env[CDK_ROOT_ENV] = mkdtempSync(join(tmpdir(), 'ekbar-cdk-'));
  await bundleAll();
}
