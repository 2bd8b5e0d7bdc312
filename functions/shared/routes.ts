/**
 * API routes, read by the CDK stack and the local runtime. API Gateway REST
 * APIs allow one path variable name per level, so POST (a class name) and
 * GET (a task id) share the `{classOrTaskId}` variable.
 */
export const TASK_RESOURCE = '/v1/tasks/{classOrTaskId}';
export const PATH_PARAMETER = 'classOrTaskId';

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly resource: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', resource: TASK_RESOURCE },
  { method: 'GET', resource: TASK_RESOURCE },
];
