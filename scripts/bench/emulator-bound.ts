import type { RequestRecord } from './request-log';

/** Mean milliseconds the emulator took per request of one shape. */
export type ServiceTimes = ReadonlyMap<string, number>;

const shapeOf = (record: RequestRecord): string =>
  `${record.service} ${record.operation} x${record.items}`;

const operationOf = (record: RequestRecord): string =>
  `${record.service} ${record.operation}`;

const meansBy = (
  records: readonly RequestRecord[],
  keyOf: (record: RequestRecord) => string,
): Map<string, number> => {
  const totals = new Map<string, { ms: number; attempts: number }>();
  // An attempt that ended without a response (a reset connection, a
  // timeout) has no emulator time, so only timed attempts count here.
  for (const record of records) {
    const total = totals.get(keyOf(record)) ?? { ms: 0, attempts: 0 };
    total.ms += record.emulatorMs;
    total.attempts += record.gatedAttempts;
    totals.set(keyOf(record), total);
  }
  return new Map(
    [...totals]
      .filter(([, total]) => total.attempts > 0)
      .map(([key, total]) => [key, total.ms / total.attempts]),
  );
};

/**
 * Returns the emulator's time per request of each shape (operation and
 * item count), and per operation as a fallback, as the emulator gate
 * measured it for requests sent one at a time.
 */
export const serviceTimesOf = (
  records: readonly RequestRecord[],
): ServiceTimes =>
  new Map([...meansBy(records, operationOf), ...meansBy(records, shapeOf)]);

/**
 * Returns the tasks per second that the emulator allows for the requests
 * that a run sent: one second over the emulator time those requests need
 * per task, if the emulator served them one after another with no wait
 * in between.
 */
export const allowedTasksPerSecond = (
  runRecords: readonly RequestRecord[],
  tasks: number,
  times: ServiceTimes,
): number => {
  const totalMs = runRecords.reduce((sum, record) => {
    const ms = times.get(shapeOf(record)) ?? times.get(operationOf(record));
    if (ms === undefined) {
      throw new Error(
        `no service time was measured for ${operationOf(record)}; the serial run must send every operation that the pipelined run sends`,
      );
    }
    return sum + record.attempts * ms;
  }, 0);
  return (tasks * 1000) / totalMs;
};
