import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

/** Service name of the local runtime's own log lines. */
export const LOCAL_SERVICE_NAME = 'ekbar-local';

/**
 * Structured JSON logger of the local runtime (the functions log through
 * their own loggers). Its level comes from EKBAR_LOCAL_LOG_LEVEL (DEBUG,
 * INFO, WARN, ERROR or SILENT; default INFO) and not from
 * POWERTOOLS_LOG_LEVEL, which is passed to the functions, so quieting the
 * functions never hides the `ready` line that scripts wait for.
 */
export const localLogger = new Logger({
  serviceName: LOCAL_SERVICE_NAME,
  logLevel: (process.env.EKBAR_LOCAL_LOG_LEVEL ?? 'INFO') as LogLevel,
});
