import { rmSync } from 'node:fs';
import { CDK_ROOT_ENV } from './global-setup';

/** Deletes the CDK output folder that the global setup made. */
export default async function globalTeardown(): Promise<void> {
  const root = process.env[CDK_ROOT_ENV];
  if (root) {
    rmSync(root, { recursive: true, force: true });
  }
}
