import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured JSON logger of a function. Log ids and classes, never
 * payloads: they hold personal, payment and health data.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ekbar',
});
