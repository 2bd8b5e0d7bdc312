import { InvalidArgumentError } from 'commander';

/** Seconds in each unit of a relative time such as `24h`. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
};

const RELATIVE = /^(\d+)([mhdw])$/;

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

const hasOffset = (text: string): boolean => /(Z|[+-]\d{2}:\d{2})$/.test(text);

/**
 * Parses a time given on the command line: `now`, an ISO 8601 date or
 * date-time (UTC unless it carries an offset), or a duration before `now`
 * such as `30m`, `24h`, `7d` or `2w`.
 * @throws InvalidArgumentError naming the value and the accepted forms
 */
export const parseTime = (text: string, now: Date = new Date()): Date => {
  const value = text.trim();
  if (value === 'now') {
    return now;
  }
  const relative = RELATIVE.exec(value);
  if (relative) {
    const seconds =
      Number(relative[1]) * (UNIT_SECONDS[relative[2] ?? ''] ?? 0);
    return new Date(now.getTime() - seconds * 1000);
  }
  if (ISO_DATE_TIME.test(value)) {
    const utc = value.includes('T') && !hasOffset(value) ? `${value}Z` : value;
    const time = new Date(utc);
    if (!Number.isNaN(time.getTime())) {
      return time;
    }
  }
  throw new InvalidArgumentError(
    `"${text}" is not a time; give an ISO 8601 time such as 2026-05-01T00:00:00Z, a duration before now such as 30m, 24h, 7d or 2w, or "now".`,
  );
};

/** A half-open interval of time. */
export interface TimeRange {
  readonly since: Date;
  readonly until: Date;
}
