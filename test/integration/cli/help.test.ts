import type { Command } from 'commander';
import { runEkbar, runEkbarInProcess } from './harness';

/** Returns the full name of every command under `command`, such as `dlq list`. */
const commandPaths = (command: Command, prefix: string[] = []): string[][] =>
  command.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return [path, ...commandPaths(child, path)];
  });

describe('ekbar --help', () => {
  it('lists every command group', async () => {
    const run = await runEkbar(['--help']);

    expect(run.status).toBe(0);
    for (const name of ['status', 'dlq', 'keys', 'review', 'audit', 'report']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it('is available on every command', async () => {
    const { createProgram } =
      require('../../../cli/main') as typeof import('../../../cli/main');
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      stderrIsTty: false,
    };
    const paths = commandPaths(createProgram(io));
    expect(paths.map((path) => path.join(' '))).toEqual(
      expect.arrayContaining([
        'status',
        'dlq list',
        'dlq show',
        'dlq redrive',
        'dlq discard',
        'keys show',
        'keys release',
        'review list',
        'review approve',
        'review reject',
        'audit',
        'report impact',
      ]),
    );

    for (const path of paths) {
      const run = await runEkbarInProcess([...path, '--help']);
      expect({ path, status: run.status }).toEqual({ path, status: 0 });
      expect(run.stdout).toContain(`Usage: ekbar ${path.join(' ')}`);
    }
  });

  it('rejects an unknown command with usage status 2', async () => {
    const run = await runEkbarInProcess(['stauts']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown command 'stauts'");
  });

  it('prints a usage error only as JSON with --json', async () => {
    const run = await runEkbarInProcess(['stauts', '--json']);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe('');
    const { error } = JSON.parse(run.stdout);
    expect(error.code).toBe('invalid-usage');
    expect(error.message).toContain("unknown command 'stauts'");
  });
});
