import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../bundle';

/** Name of the comparison bundle in every report. */
export const MINIMAL_CONSUMER = 'minimal-powertools-consumer';

/** The minimal consumer plus Powertools Logger alone. */
export const LOGGER_CONSUMER = 'minimal-consumer-with-logger';

/** The minimal consumer plus the libraries the design requires. */
export const DESIGN_FLOOR_CONSUMER = 'design-floor-consumer';

/** One bundle and where its bytes come from. */
export interface Bundle {
  readonly name: string;
  /** The bundle's index.mjs, which a function loads. */
  readonly file: string;
  /** Bytes of all its files: what a deployment package holds. */
  readonly bytes: number;
  /** Bytes of index.mjs and the chunks it imports statically: what loads. */
  readonly loadedBytes: number;
  /** Bytes in the output per npm package; our own code is `ekbar`. */
  readonly packages: Readonly<Record<string, number>>;
}

const packageOf = (inputPath: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'ekbar';
};

/**
 * Returns the bytes of an output file and of every chunk that it imports
 * statically, directly or through another chunk. Chunks behind a dynamic
 * import load only when called, so they are left out.
 */
const loadedBytesOf = (metafile: Metafile, entryFile: string): number => {
  const byPath = new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [
      resolve(path),
      output,
    ]),
  );
  const seen = new Set<string>();
  const pending = [resolve(entryFile)];
  let bytes = 0;
  while (pending.length > 0) {
    const path = pending.pop() as string;
    const output = byPath.get(path);
    if (seen.has(path) || !output) {
      continue;
    }
    seen.add(path);
    bytes += output.bytes;
    for (const imported of output.imports) {
      if (imported.kind === 'import-statement' && !imported.external) {
        pending.push(resolve(imported.path));
      }
    }
  }
  return bytes;
};

/** Bytes in the output per npm package, over all of a bundle's files. */
const packagesOf = (metafile: Metafile): Record<string, number> => {
  const packages: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      packages[name] = (packages[name] ?? 0) + input.bytesInOutput;
    }
  }
  return packages;
};

/**
 * Bundles every function and the three comparison consumers into `outDir`
 * with the esbuild options of `npm run build`, so that the comparison is
 * like for like. It leaves dist/ alone.
 */
export const buildBundles = async (outDir: string): Promise<Bundle[]> => {
  const root = join(__dirname, '..', '..');
  const entries: [string, string][] = [
    ...Object.entries(FUNCTION_ENTRIES).map(
      ([name, entry]): [string, string] => [name, join(root, entry)],
    ),
    [MINIMAL_CONSUMER, join(__dirname, 'minimal-consumer.ts')],
    [LOGGER_CONSUMER, join(__dirname, 'logger-consumer.ts')],
    [DESIGN_FLOOR_CONSUMER, join(__dirname, 'floor-consumer.ts')],
  ];
  return Promise.all(
    entries.map(async ([name, entry]) => {
      const outdir = join(outDir, name);
      const { metafile } = await build({
        ...BUNDLE_OPTIONS,
        entryPoints: [entry],
        outdir,
        metafile: true,
      });
      const file = join(outdir, 'index.mjs');
      return {
        name,
        file,
        bytes: Object.values(metafile.outputs).reduce(
          (sum, output) => sum + output.bytes,
          0,
        ),
        loadedBytes: loadedBytesOf(metafile, file),
        packages: packagesOf(metafile),
      };
    }),
  );
};
