import type { Logger } from '@aws-lambda-powertools/logger';
import { logger, REDACTED } from '../../functions/shared/logger';

/** Captures what the functions' own logger writes. */
const captureLogs = (log: (logger: Logger) => void): string => {
  const lines: string[] = [];
  logger.setLogLevel('DEBUG');
  const record = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  // Powertools writes errors to stderr and the other levels to stdout.
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(record),
    jest.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  try {
    log(logger);
  } finally {
    for (const spy of spies) {
      spy.mockRestore();
    }
  }
  return lines.join('');
};

describe('log redaction', () => {
  it('removes personal and health data at any depth', () => {
    const output = captureLogs((logger) =>
      logger.error('task failed', {
        taskId: 'tsk_1',
        task: {
          payerAccount: 'acct-secret-1',
          recipient: 'asha@example.com',
          patientId: 'patient-secret-9',
          content: { diagnosis: 'secret-diagnosis' },
        },
      }),
    );

    expect(output).toContain('tsk_1');
    expect(output).toContain(REDACTED);
    for (const secret of [
      'acct-secret-1',
      'asha@example.com',
      'patient-secret-9',
      'secret-diagnosis',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
