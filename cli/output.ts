/** Output streams of the CLI, which tests replace to run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal, where a progress bar can be drawn. */
  readonly stderrIsTty: boolean;
}

/** Returns the IO of this process. */
export const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: Boolean(process.stderr.isTTY),
});

/** Options every command takes. */
export interface OutputOptions {
  /** Print one JSON document for scripts instead of text for people. */
  readonly json?: boolean;
}

/** One column of a table for people. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  /** Right-aligned columns are for numbers and amounts. */
  readonly align?: 'left' | 'right';
}

const pad = (text: string, width: number, align: 'left' | 'right'): string =>
  align === 'right' ? text.padStart(width) : text.padEnd(width);

/** Renders rows as a plain-text table with a header and a rule. */
export const renderTable = <T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
): string => {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(
      column.header.length,
      ...cells.map((row) => row[index]?.length ?? 0),
    ),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) =>
        pad(value, widths[index] ?? 0, columns[index]?.align ?? 'left'),
      )
      .join('  ')
      .trimEnd();

  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ]
    .map((text) => `${text}\n`)
    .join('');
};

/** Renders label and value pairs, one per line, with aligned values. */
export const renderFields = (
  fields: readonly (readonly [string, string | undefined])[],
): string => {
  const filled = fields.filter(
    ([, value]) => value !== undefined && value !== '',
  );
  const width = Math.max(...filled.map(([label]) => label.length));
  return filled
    .map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}\n`)
    .join('');
};

/** Serializes sets (such as a task's callers) as arrays. */
const jsonReplacer = (_key: string, value: unknown): unknown =>
  value instanceof Set ? [...value] : value;

/** Formats a value as the CLI's JSON output. */
export const toJson = (value: unknown): string =>
  `${JSON.stringify(value, jsonReplacer, 2)}\n`;

/**
 * Prints a command's result: the document as JSON with `--json`, otherwise
 * the text that `renderText` builds for people.
 */
export const printResult = (
  io: CliIo,
  options: OutputOptions,
  document: unknown,
  renderText: () => string,
): void => {
  io.stdout(options.json ? toJson(document) : renderText());
};

/** Formats an epoch time in seconds or milliseconds as ISO 8601, if set. */
export const isoTimeOf = (
  epoch: number | undefined,
  unit: 'seconds' | 'milliseconds',
): string | undefined =>
  epoch === undefined
    ? undefined
    : new Date(unit === 'seconds' ? epoch * 1000 : epoch).toISOString();
