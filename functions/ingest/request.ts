import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  PayloadTooLargeError,
  RequestValidationError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from '../shared/errors';
import {
  exceedsJsonDepth,
  findDuplicateKey,
  findUnstorableValue,
  MAX_JSON_DEPTH,
} from '../shared/json-limits';
import { MAX_BODY_BYTES } from '../shared/resources';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Maximum length of an Idempotency-Key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Returns a header's value whatever the case of its name. */
export const headerOf = (
  event: APIGatewayProxyEvent,
  name: string,
): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      return value;
    }
  }
  return undefined;
};

/** Counts the values API Gateway received for a header, in any case. */
const valuesOf = (event: APIGatewayProxyEvent, name: string): number => {
  const wanted = name.toLowerCase();
  let count = 0;
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted) {
      count += values?.length ?? 0;
    }
  }
  return count;
};

/**
 * Returns the caller identity that scopes idempotency keys: the API key id,
 * the Lambda authorizer principal or the IAM caller, in that order.
 */
export const callerOf = (event: APIGatewayProxyEvent): string => {
  const identity = event.requestContext?.identity;
  const principal = event.requestContext?.authorizer?.principalId;
  const caller =
    identity?.apiKeyId ??
    (typeof principal === 'string' ? principal : undefined) ??
    identity?.userArn ??
    identity?.caller;
  if (!caller) {
    throw new UnauthenticatedError(
      'the request carries no caller identity; send your API key in the x-api-key header',
    );
  }
  return caller;
};

/**
 * Returns the Idempotency-Key header, or undefined when it is absent and not
 * required. A present key must be 1 to 255 printable ASCII characters.
 */
export const idempotencyKeyOf = (
  event: APIGatewayProxyEvent,
  required: boolean,
  className: string,
): string | undefined => {
  const key = headerOf(event, IDEMPOTENCY_KEY_HEADER);
  if (valuesOf(event, IDEMPOTENCY_KEY_HEADER) > 1) {
    throw new RequestValidationError(
      `header ${IDEMPOTENCY_KEY_HEADER} was sent more than once; send exactly one key`,
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  if (key === undefined) {
    if (required) {
      throw new RequestValidationError(
        `header ${IDEMPOTENCY_KEY_HEADER} is required for ${className} tasks; send a unique key per intended task and reuse it on retries`,
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    return undefined;
  }
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new RequestValidationError(
      `header ${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long, got ${key.length}`,
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  if (!/^[\x20-\x7E]+$/.test(key)) {
    throw new RequestValidationError(
      `header ${IDEMPOTENCY_KEY_HEADER} must contain printable ASCII characters only`,
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  return key;
};

/**
 * Decodes and parses the JSON request body. API Gateway delivers some
 * bodies base64-encoded, so the body is decoded before it is parsed.
 */
export const jsonBodyOf = (event: APIGatewayProxyEvent): unknown => {
  const contentType = headerOf(event, 'Content-Type');
  if (
    contentType !== undefined &&
    !/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType)
  ) {
    throw new UnsupportedMediaTypeError(
      `Content-Type "${contentType.slice(0, 100)}" is not supported; send application/json`,
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
    contentType ?? '',
  )?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaTypeError(
      `charset "${charset.slice(0, 40)}" is not supported; send the JSON body as UTF-8`,
    );
  }

  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded
    ? Buffer.from(raw, 'base64')
    : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES} bytes`,
    );
  }
  if (bytes.length === 0) {
    throw new RequestValidationError(
      'request body is empty; send the task as a JSON object',
      'body',
    );
  }

  // NOTE: API Gateway hands a text body over as a string, so invalid UTF-8
  // may arrive already replaced by U+FFFD. Only a base64 body is checked
  // byte for byte here; the local API server behaves the same way.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RequestValidationError(
      'request body is not valid UTF-8; send the JSON body encoded as UTF-8',
      'body',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestValidationError(
      'request body is not valid JSON; send the task as a JSON object',
      'body',
    );
  }
  if (exceedsJsonDepth(text)) {
    throw new RequestValidationError(
      `request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      'body',
    );
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new RequestValidationError(
      `field "${duplicate}" appears more than once in its object; send each field once`,
      duplicate,
    );
  }
  const unstorable = findUnstorableValue(body);
  if (unstorable) {
    throw new RequestValidationError(
      `field "${unstorable.path}" ${unstorable.problem}`,
      unstorable.path,
    );
  }
  return body;
};
