import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdkContext, TEST_PROVIDER_URL } from './stack-template';

const ROOT = join(__dirname, '..', '..');

/** The environment of a shell with no AWS configuration at all. */
const environmentWithoutAws = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_'),
    ),
  );

/**
 * Runs infra/app.ts the way `cdk synth` does, with the context in
 * CDK_CONTEXT_JSON and the output folder in CDK_OUTDIR.
 */
const runApp = (
  context: Record<string, unknown>,
  extraEnvironment: Record<string, string> = {},
) => {
  const outdir = mkdtempSync(join(tmpdir(), 'ekbar-synth-'));
  const result = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'infra', 'app.ts')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...environmentWithoutAws(),
        ...extraEnvironment,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext(), ...context }),
      },
    },
  );
  const manifestEnvironment = (): string => {
    const manifest = JSON.parse(
      readFileSync(join(outdir, 'manifest.json'), 'utf8'),
    );
    return manifest.artifacts.Ekbar.environment;
  };
  return { result, outdir, manifestEnvironment };
};

describe('CDK app', () => {
  const outdirs: string[] = [];

  afterAll(() => {
    for (const outdir of outdirs) {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('synthesizes without AWS credentials', () => {
    // Act
    const run = runApp({ notificationProviderUrl: TEST_PROVIDER_URL });
    outdirs.push(run.outdir);

    // Assess
    expect(run.result.stderr).toBe('');
    expect(run.result.status).toBe(0);
    expect(run.manifestEnvironment()).toBe('aws://unknown-account/ap-south-1');
  });

  it('ignores the CLI default region', () => {
    // Act
    const run = runApp(
      { notificationProviderUrl: TEST_PROVIDER_URL },
      { CDK_DEFAULT_REGION: 'us-east-1' },
    );
    outdirs.push(run.outdir);

    // Assess
    expect(run.result.status).toBe(0);
    expect(run.manifestEnvironment()).toBe('aws://unknown-account/ap-south-1');
  });

  it('takes the region from context', () => {
    // Act
    const run = runApp({
      notificationProviderUrl: TEST_PROVIDER_URL,
      region: 'ap-south-2',
    });
    outdirs.push(run.outdir);

    // Assess
    expect(run.result.status).toBe(0);
    expect(run.manifestEnvironment()).toBe('aws://unknown-account/ap-south-2');
  });

  it('rejects a non-integer review limit', () => {
    // Act
    const run = runApp({ paymentReviewLimitMinor: 'ten' });
    outdirs.push(run.outdir);

    // Assess
    expect(run.result.status).not.toBe(0);
    expect(run.result.stderr).toContain(
      'context value paymentReviewLimitMinor is "ten"',
    );
  });

  it('rejects a production stack without provider URL', () => {
    // Act
    const run = runApp({ production: 'true' });
    outdirs.push(run.outdir);

    // Assess
    expect(run.result.status).not.toBe(0);
    expect(run.result.stderr).toContain('notificationProviderUrl is missing');
  });
});
