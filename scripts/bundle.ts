import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  consumerFunctionOf,
  INGEST_FUNCTION,
} from '../functions/shared/resources';
import { TASK_CLASSES } from '../functions/shared/task-classes';

/** Folder holding one subfolder per function, each with an index.mjs. */
export const BUNDLE_ROOT = join(__dirname, '..', 'dist', 'functions');

/** Entry file of every function, keyed by function name. */
export const FUNCTION_ENTRIES: Record<string, string> = {
  [INGEST_FUNCTION]: 'functions/ingest/handler.ts',
  ...Object.fromEntries(
    TASK_CLASSES.map((definition) => [
      consumerFunctionOf(definition.name),
      `functions/consumers/${definition.name}.ts`,
    ]),
  ),
};

/** Returns the folder that holds a function's bundle. */
export const bundleDirOf = (functionName: string): string =>
  join(BUNDLE_ROOT, functionName);

/**
 * Bundles every function with esbuild into dist/functions/NAME/index.mjs,
 * the code that both `cdk deploy` and the local runtime run.
 */
export const bundleAll = async (): Promise<void> => {
  rmSync(BUNDLE_ROOT, { recursive: true, force: true });
  const root = join(__dirname, '..');

  await Promise.all(
    Object.entries(FUNCTION_ENTRIES).map(([name, entry]) =>
      build({
        entryPoints: [join(root, entry)],
        outfile: join(bundleDirOf(name), 'index.mjs'),
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'esm',
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        mainFields: ['module', 'main'],
        // Some dependencies are CommonJS and call require at run time.
        banner: {
          js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        logLevel: 'warning',
      }),
    ),
  );
};

if (require.main === module) {
  bundleAll().then(
    () => {
      process.stdout.write(
        `bundled ${Object.keys(FUNCTION_ENTRIES).length} functions into ${BUNDLE_ROOT}\n`,
      );
    },
    (error: unknown) => {
      process.stderr.write(`bundling failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
