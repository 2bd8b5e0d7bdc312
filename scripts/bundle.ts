import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** Subfolder of a bundle that contains its chunks. */
export const CHUNK_DIR = 'chunks';

/**
 * Age after which a chunk that the latest build no longer references is
 * deleted. A function process started from an earlier build may still
 * import its chunks for a while, since chunks load on first use.
 */
const STALE_CHUNK_MS = 10 * 60 * 1000;

/**
 * esbuild options shared by every function bundle: minified ESM for the
 * Lambda Node.js 22 runtime, an index.mjs and its chunks. Code behind a
 * dynamic import goes to chunks that load on first use. The AWS SDK's SSO,
 * STS and sign-in credential providers are such code, and a Lambda
 * function with credentials in its environment never loads them. Callers
 * add the entry and `outdir`.
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
  splitting: true,
  entryNames: 'index',
  chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
  outExtension: { '.js': '.mjs' },
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
 * Bundles every function with esbuild into dist/functions/NAME, the code
 * that both `cdk deploy` and the local runtime run. Chunk names carry a
 * hash of their content, so writing one never changes a file that a
 * running function may still import. Each file is written under a
 * temporary name and renamed, and index.mjs comes last, so a test run or
 * a runtime that loads a bundle at the same moment never finds it missing
 * or half written.
 */
export const bundleAll = async (): Promise<void> => {
  const root = join(__dirname, '..');

  await Promise.all(
    Object.entries(FUNCTION_ENTRIES).map(([name, entry]) =>
      bundleOne(name, join(root, entry)),
    ),
  );
};

const writeAtomically = (path: string, contents: Uint8Array): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
};

const bundleOne = async (name: string, entry: string): Promise<void> => {
  const outdir = bundleDirOf(name);
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [entry],
    outdir,
    write: false,
  });
  const indexPath = resolve(outdir, 'index.mjs');
  const files = result.outputFiles ?? [];
  const index = files.find((file) => resolve(file.path) === indexPath);
  if (!index) {
    throw new Error(`esbuild produced no index.mjs for function ${name}`);
  }
  for (const file of files) {
    if (file !== index) {
      writeAtomically(file.path, file.contents);
    }
  }
  writeAtomically(index.path, index.contents);
  removeStaleChunks(
    join(outdir, CHUNK_DIR),
    new Set(files.map((file) => resolve(file.path))),
  );
};

/** Deletes chunks that the latest build did not write and that are old. */
export const removeStaleChunks = (
  folder: string,
  current: Set<string>,
): void => {
  if (!existsSync(folder)) {
    return;
  }
  const now = Date.now();
  for (const name of readdirSync(folder, { withFileTypes: true })) {
    const path = resolve(folder, name.name);
    if (
      name.isFile() &&
      !current.has(path) &&
      now - statSync(path).mtimeMs > STALE_CHUNK_MS
    ) {
      rmSync(path, { force: true });
    }
  }
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
