import { statSync } from 'node:fs';
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
  readonly file: string;
  readonly bytes: number;
  /** Bytes in the output per npm package; our own code is `ekbar`. */
  readonly packages: Readonly<Record<string, number>>;
}

const packageOf = (inputPath: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'ekbar';
};

const packagesOf = (
  metafile: Metafile,
  outfile: string,
): Record<string, number> => {
  // Metafile paths are relative to the working directory.
  const output = Object.entries(metafile.outputs).find(
    ([path]) => resolve(path) === outfile,
  )?.[1];
  const packages: Record<string, number> = {};
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    packages[name] = (packages[name] ?? 0) + input.bytesInOutput;
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
      const file = join(outDir, name, 'index.mjs');
      const { metafile } = await build({
        ...BUNDLE_OPTIONS,
        entryPoints: [entry],
        outfile: file,
        metafile: true,
      });
      return {
        name,
        file,
        bytes: statSync(file).size,
        packages: packagesOf(metafile, file),
      };
    }),
  );
};
