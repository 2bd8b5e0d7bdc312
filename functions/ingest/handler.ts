import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import {
  IdempotencyKeyReuseError,
  RequestInProgressError,
  UnknownTaskClassError,
} from '../shared/errors';
import { logger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import { PATH_PARAMETER } from '../shared/routes';
import { findTaskClass, TASK_CLASSES } from '../shared/task-classes';
import { readTask } from './get-task';
import { problemResponse, reportableErrorOf, statusOf } from './problem';
import {
  callerOf,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyOf,
  jsonBodyOf,
} from './request';
import { prepareSubmission, submitTask } from './submit-task';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * Returns the absolute status URL of a task when API Gateway served the
 * request on its execute-api domain, else a path relative to the API root.
 * NOTE: behind a custom domain the relative path omits any base path.
 */
const statusUrlBuilder = (event: APIGatewayProxyEvent) => {
  const domain = event.requestContext?.domainName;
  const stage = event.requestContext?.stage;
  const base =
    domain && stage && /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(domain)
      ? `https://${domain}/${stage}`
      : '';
  return (taskId: string) => `${base}/v1/tasks/${encodeURIComponent(taskId)}`;
};

const postTask = async (
  event: APIGatewayProxyEvent,
  className: string,
): Promise<APIGatewayProxyResult> => {
  const definition = findTaskClass(className);
  if (!definition) {
    throw new UnknownTaskClassError(
      className,
      TASK_CLASSES.map((known) => known.name),
    );
  }
  const caller = callerOf(event);
  const idempotencyKey = idempotencyKeyOf(
    event,
    definition.requiresIdempotencyKey,
    definition.name,
  );
  const submission = prepareSubmission({
    definition,
    caller,
    idempotencyKey,
    body: jsonBodyOf(event),
    statusUrlOf: statusUrlBuilder(event),
  });

  const result = await submitTask(submission);
  const headers: Record<string, string> = {
    ...JSON_HEADERS,
    Location: JSON.parse(result.body).statusUrl,
  };
  if (result.replayed) {
    headers['Idempotent-Replayed'] = 'true';
  }
  if (idempotencyKey !== undefined) {
    headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
  }
  return { statusCode: result.statusCode, headers, body: result.body };
};

const getTaskStatus = async (
  event: APIGatewayProxyEvent,
  taskId: string,
): Promise<APIGatewayProxyResult> => {
  const view = await readTask(taskId, callerOf(event));
  return { statusCode: 200, headers: JSON_HEADERS, body: JSON.stringify(view) };
};

/** Counts key collisions and in-flight conflicts for operators. */
const countConflict = (error: unknown, className: string): void => {
  if (error instanceof IdempotencyKeyReuseError) {
    countMetric(METRIC.keyCollision, className);
  } else if (error instanceof RequestInProgressError) {
    countMetric(METRIC.inFlightConflict, className);
  }
};

/**
 * API Gateway proxy handler: `POST /v1/tasks/{class}` accepts a task and
 * `GET /v1/tasks/{taskId}` reports its status. Every error is an
 * `application/problem+json` response.
 */
export const handler = async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  const target = event.pathParameters?.[PATH_PARAMETER] ?? '';
  try {
    if (event.httpMethod === 'POST') {
      return await postTask(event, target);
    }
    return await getTaskStatus(event, target);
  } catch (caught) {
    const error = reportableErrorOf(caught);
    countConflict(error, target);
    const status = statusOf(error);
    if (status >= 500) {
      logger.error('request failed', {
        method: event.httpMethod,
        resource: event.resource,
        error: error as Error,
      });
    } else {
      logger.info('request rejected', {
        method: event.httpMethod,
        status,
        errorType: (error as Error).name,
      });
    }
    return problemResponse(error, event.path ?? '');
  }
};
