/** Writes one progress line to stderr, prefixed with the elapsed time. */
export const progress = (scenario: string, message: string): void => {
  const elapsed = process.uptime().toFixed(0).padStart(5);
  process.stderr.write(`[${elapsed} s] ${scenario}: ${message}\n`);
};
