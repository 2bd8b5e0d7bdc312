import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
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

/**
 * esbuild options shared by every function bundle: one minified ESM file
 * for the Lambda Node.js 22 runtime. Callers add the entry and output file.
 */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // Error class names appear in logs and dead-letter reasons.
  keepNames: true,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require at run time.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

/** Returns the folder that contains a function's bundle. */
export const bundleDirOf = (functionName: string): string =>
  join(BUNDLE_ROOT, functionName);

/**
 * Bundles every function with esbuild into dist/functions/NAME/index.mjs,
 * the code that both `cdk deploy` and the local runtime run. Each bundle
 * replaces the old one with a rename, so a test run or a runtime that is
 * loading a bundle at the same moment never finds it missing or half
 * written.
 */
export const bundleAll = async (): Promise<void> => {
  const root = join(__dirname, '..');

  await Promise.all(
    Object.entries(FUNCTION_ENTRIES).map(([name, entry]) =>
      bundleOne(name, {
        ...BUNDLE_OPTIONS,
        entryPoints: [join(root, entry)],
        outfile: join(bundleDirOf(name), 'index.mjs'),
      }),
    ),
  );
};

const bundleOne = async (
  name: string,
  options: BuildOptions & { outfile: string },
): Promise<void> => {
  const result = await build({ ...options, write: false });
  const output = result.outputFiles?.[0];
  if (!output) {
    throw new Error(`esbuild produced no output for function ${name}`);
  }
  mkdirSync(bundleDirOf(name), { recursive: true });
  const temporary = `${options.outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, output.contents);
  renameSync(temporary, options.outfile);
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
