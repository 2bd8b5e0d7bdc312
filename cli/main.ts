// Sets the table names before any module that reads them is loaded.
import './environment';

import { Command } from 'commander';
import { version } from '../package.json';
import { registerAuditCommand } from './commands/audit';
import { registerDlqCommands } from './commands/dlq';
import { registerKeysCommands } from './commands/keys';
import { registerReportCommands } from './commands/report';
import { registerReviewCommands } from './commands/review';
import { registerStatusCommand } from './commands/status';
import { reportFailure } from './failure';
import { type CliIo, processIo } from './output';

/**
 * Builds the `ekbar` program. Subcommands inherit the output settings and
 * the exit override, so that a test can run the program in-process. With
 * `json`, Commander prints no usage error, because `reportFailure` prints
 * it as the JSON document.
 */
export const createProgram = (io: CliIo, json = false): Command => {
  const program = new Command('ekbar')
    .description(
      'Operate ekbar: inspect tasks, dead letters and idempotency keys, review held payments, read audit trails and the duplicate impact report. Uses the standard AWS settings (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).',
    )
    .version(version)
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: json ? () => undefined : (text, write) => write(text),
    })
    .exitOverride()
    .showHelpAfterError(json ? false : '(add --help for usage)');

  registerStatusCommand(program, io);
  registerDlqCommands(program, io);
  registerKeysCommands(program, io);
  registerReviewCommands(program, io);
  registerAuditCommand(program, io);
  registerReportCommands(program, io);
  return program;
};

/**
 * Runs the CLI on `process.argv`-style arguments and returns the exit
 * status: 0 on success, 1 when an operation failed, 2 for invalid usage.
 */
export const runCli = async (
  argv: readonly string[],
  io: CliIo = processIo(),
): Promise<number> => {
  const json = argv.includes('--json');
  try {
    await createProgram(io, json).parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportFailure(error, io, json);
  }
};
