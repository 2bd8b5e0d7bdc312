import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run invoke` as a child process, without an emulator. */
const invoke = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'invoke.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );

describe('npm run invoke', () => {
  it('names an unknown function', () => {
    const run = invoke('consumer-refund', 'events/sqs/payment.json');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown function "consumer-refund"');
    expect(run.stderr).toContain('consumer-payment');
  });

  it('names a missing event file', () => {
    const run = invoke('consumer-payment', 'events/absent.json');

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'cannot read the event file events/absent.json',
    );
  });

  it('names a time budget that is not a number', () => {
    const run = invoke('consumer-payment', 'events/sqs/payment.json', 'ten');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('TIMEOUT_SECONDS is "ten"');
  });
});
