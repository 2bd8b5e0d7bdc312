import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PATH_PARAMETER, TASK_RESOURCE } from '../../functions/shared/routes';

/** Builds an API Gateway REST proxy event for the task resource. */
export const apiEvent = (input: {
  method: 'GET' | 'POST';
  target: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  apiKeyId?: string | null;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEvent => {
  const body =
    input.rawBody ??
    (input.body === undefined ? null : JSON.stringify(input.body));
  const headers = { 'Content-Type': 'application/json', ...input.headers };
  return {
    resource: TASK_RESOURCE,
    path: `/v1/tasks/${input.target}`,
    httpMethod: input.method,
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { [PATH_PARAMETER]: input.target },
    stageVariables: null,
    body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      identity: {
        apiKeyId:
          input.apiKeyId === null ? null : (input.apiKeyId ?? 'caller-a'),
        sourceIp: '127.0.0.1',
      },
      requestId: randomUUID(),
      stage: 'v1',
      httpMethod: input.method,
      resourcePath: TASK_RESOURCE,
    },
  } as unknown as APIGatewayProxyEvent;
};

export { lambdaContext } from '../../scripts/local/lambda-context';
