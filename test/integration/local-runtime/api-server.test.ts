import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  invalidApiKeyProblem,
  requestTooLargeProblem,
  unknownRouteProblem,
} from '../../../functions/shared/gateway-problems';
import { TASK_RESOURCE } from '../../../functions/shared/routes';
import { apiKeyIdOf } from '../../../scripts/local/api-gateway-event';
import { gatewayProblemOf } from '../../../scripts/local/api-gateway-response';
import {
  type ApiServer,
  MAX_API_PAYLOAD_BYTES,
  startApiServer,
} from '../../../scripts/local/api-server';
import { FunctionPool } from '../../../scripts/local/function-pool';
import {
  API_ECHO_HANDLER,
  FixtureBundles,
  type HttpResult,
  send,
  silentLogger,
} from './fixtures';

// The echo fixture makes no AWS calls, but a function process refuses to
// start without an endpoint. Nothing listens on loopback port 9 (discard).
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';

const API_KEY = 'test-key-0123456789abcdef';
const OTHER_KEY = 'second-key-0123456789abcdef';

const bundles = new FixtureBundles();
let pool: FunctionPool;
let api: ApiServer;

beforeAll(async () => {
  pool = new FunctionPool({
    functionName: 'ingest',
    bundleDir: bundles.write('ingest', API_ECHO_HANDLER),
    timeoutSeconds: 2,
    memorySizeMb: 128,
    environment: {},
    concurrency: 2,
    output: () => undefined,
    logger: silentLogger,
  });
  await pool.start();
  api = await startApiServer({
    port: 0,
    apiKeys: [API_KEY, OTHER_KEY],
    invoke: (event) => pool.invoke(event),
    logger: silentLogger,
  });
});

afterAll(async () => {
  await api.close();
  await pool.stop();
  bundles.remove();
});

/** Sends a request whose result the echo fixture returns as given. */
const sendWithResult = (result: unknown, body?: string): Promise<HttpResult> =>
  send(`${api.url}/v1/tasks/payment`, {
    method: 'POST',
    headers: {
      'x-api-key': API_KEY,
      'x-test-result': Buffer.from(JSON.stringify(result)).toString('base64'),
    },
    body,
  });

const eventOf = (response: HttpResult): APIGatewayProxyEvent =>
  JSON.parse(response.body) as APIGatewayProxyEvent;

describe('API server request event', () => {
  let response: HttpResult;
  let event: APIGatewayProxyEvent;
  const before = Date.now();

  beforeAll(async () => {
    response = await send(`${api.url}/v1/tasks/payment?x=1&x=2&y=3`, {
      method: 'POST',
      headers: {
        'X-Api-Key': API_KEY,
        'Idempotency-Key': 'order-7-capture',
        'Content-Type': 'application/json',
        'User-Agent': 'fixture-agent/1.0',
        'X-Custom': ['first', 'second'],
      },
      body: '{"amount":100}',
    });
    event = eventOf(response);
  });

  it('names the route', () => {
    expect(response.status).toBe(200);
    expect(event.resource).toBe(TASK_RESOURCE);
    expect(event.path).toBe('/v1/tasks/payment');
    expect(event.httpMethod).toBe('POST');
    expect(event.pathParameters).toEqual({ classOrTaskId: 'payment' });
  });

  it('keeps header names as sent', () => {
    expect(event.headers['Idempotency-Key']).toBe('order-7-capture');
    expect(event.headers['Content-Type']).toBe('application/json');
    expect(event.headers['X-Custom']).toBe('second');
  });

  it('lists repeated headers', () => {
    expect(event.multiValueHeaders['X-Custom']).toEqual(['first', 'second']);
    expect(event.multiValueHeaders['Idempotency-Key']).toEqual([
      'order-7-capture',
    ]);
  });

  it('adds forwarding headers', () => {
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe(String(api.port));
  });

  it('parses the query string', () => {
    expect(event.queryStringParameters).toEqual({ x: '2', y: '3' });
    expect(event.multiValueQueryStringParameters).toEqual({
      x: ['1', '2'],
      y: ['3'],
    });
  });

  it('passes the body as text', () => {
    expect(event.body).toBe('{"amount":100}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('identifies the API key by id', () => {
    const { identity } = event.requestContext;
    expect(identity.apiKeyId).toBe(apiKeyIdOf(API_KEY));
    expect(identity.apiKeyId).not.toBe(API_KEY);
    expect(identity.sourceIp).toBe('127.0.0.1');
    expect(identity.userAgent).toBe('fixture-agent/1.0');
  });

  it('fills the request context', () => {
    const context = event.requestContext;
    expect(context.requestId).toBe(response.headers['x-amzn-requestid']);
    expect(context.stage).toBe('local');
    expect(context.resourcePath).toBe(TASK_RESOURCE);
    expect(context.httpMethod).toBe('POST');
    expect(context.path).toBe('/local/v1/tasks/payment');
    expect(context.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(context.requestTimeEpoch).toBeLessThanOrEqual(Date.now());
    expect(context.requestTime).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
  });
});

describe('API server routing', () => {
  it('decodes path parameters', async () => {
    const response = await send(`${api.url}/v1/tasks/tsk%3A42`, {
      headers: { 'x-api-key': API_KEY },
    });

    expect(eventOf(response).pathParameters).toEqual({
      classOrTaskId: 'tsk:42',
    });
    expect(eventOf(response).body).toBeNull();
  });

  it.each([
    ['GET', '/'],
    ['GET', '/v1/tasks'],
    ['GET', '/v1/tasks/'],
    ['GET', '/v1/tasks/a/b'],
    ['DELETE', '/v1/tasks/payment'],
    ['PUT', '/v1/tasks/payment'],
  ])('rejects %s %s as API Gateway does', async (method, path) => {
    const response = await send(`${api.url}${path}`, {
      method,
      headers: { 'x-api-key': API_KEY },
    });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual(unknownRouteProblem(method));
    expect(JSON.parse(response.body).detail).toContain(
      `no route of this API matches ${method} on the request path`,
    );
  });
});

describe('API server keys', () => {
  it.each([
    ['a missing key', {}],
    ['a wrong key', { 'x-api-key': 'not-a-key' }],
    ['an empty key', { 'x-api-key': '' }],
  ])('rejects %s with 403 Forbidden', async (_case, headers) => {
    const response = await send(`${api.url}/v1/tasks/payment`, { headers });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual(invalidApiKeyProblem());
  });

  it('reads the key header in any case', async () => {
    const response = await send(`${api.url}/v1/tasks/payment`, {
      headers: { 'X-API-KEY': OTHER_KEY },
    });

    expect(response.status).toBe(200);
    expect(eventOf(response).requestContext.identity.apiKeyId).toBe(
      apiKeyIdOf(OTHER_KEY),
    );
  });

  it('gives each key its own id', () => {
    expect(apiKeyIdOf(API_KEY)).not.toBe(apiKeyIdOf(OTHER_KEY));
    expect(apiKeyIdOf(API_KEY)).toBe(apiKeyIdOf(API_KEY));
  });
});

describe('API server payload limit', () => {
  it('rejects a body over 10 MB with 413', async () => {
    const body = Buffer.alloc(MAX_API_PAYLOAD_BYTES + 1, 'a');

    const response = await send(`${api.url}/v1/tasks/payment`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
      body,
    });

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual(requestTooLargeProblem());
  });

  it('accepts a body of exactly 10 MB', async () => {
    const body = 'a'.repeat(MAX_API_PAYLOAD_BYTES);

    const response = await sendWithResult({ statusCode: 204 }, body);

    expect(response.status).toBe(204);
  });
});

describe('API server responses', () => {
  it('writes status, headers and multi-value headers', async () => {
    const response = await sendWithResult({
      statusCode: 201,
      headers: { 'X-Single': 'one', 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'created',
    });

    expect(response.status).toBe(201);
    expect(response.headers['x-single']).toBe('one');
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.body).toBe('created');
  });

  it('decodes a base64 body', async () => {
    const response = await sendWithResult({
      statusCode: 200,
      body: Buffer.from('decoded text').toString('base64'),
      isBase64Encoded: true,
    });

    expect(response.body).toBe('decoded text');
  });

  it('defaults the content type to JSON', async () => {
    const response = await sendWithResult({ statusCode: 200, body: '{}' });

    expect(response.headers['content-type']).toBe('application/json');
  });

  it('returns 502 when the function throws', async () => {
    const response = await send(`${api.url}/v1/tasks/payment`, {
      headers: { 'x-api-key': API_KEY, 'x-test-throw': '1' },
    });

    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual(
      gatewayProblemOf('Internal server error'),
    );
  });

  it('returns 502 when the function times out', async () => {
    const response = await send(`${api.url}/v1/tasks/payment`, {
      headers: { 'x-api-key': API_KEY, 'x-test-sleep-ms': '5000' },
    });

    expect(response.status).toBe(502);
  });

  it.each([
    ['no statusCode', { body: '{}' }],
    ['a statusCode out of range', { statusCode: 99 }],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['a header object value', { statusCode: 200, headers: { A: { b: 1 } } }],
    ['a string result', 'ok'],
  ])('returns 502 for %s', async (_case, result) => {
    const response = await sendWithResult(result);

    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual(
      gatewayProblemOf('Internal server error'),
    );
  });
});
