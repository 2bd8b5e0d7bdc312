import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { handler } from '../../functions/ingest/handler';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { SAMPLE_TASKS } from '../../scripts/generate-events';
import { apiEvent, lambdaContext } from '../support/api-event';

const documents = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

/** Returns whether a body contains a character that SQS rejects. */
const hasSqsInvalidCharacter = (body: string | undefined): boolean =>
  [...(body ?? '')].some((character) => {
    const code = character.codePointAt(0) as number;
    return (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
      code === 0xfffe ||
      code === 0xffff
    );
  });

const classNames = TASK_CLASSES.map((definition) => definition.name);

/** A valid task with some fields replaced by arbitrary JSON values. */
const mutatedTask = fc
  .record({
    className: fc.constantFrom(...classNames),
    replacements: fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'amount',
          'currency',
          'paymentId',
          'recipient',
          'content',
          'value',
        ),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.double(),
        fc.string({ unit: 'binary' }),
        fc.constant(2 ** 60),
      ),
      { maxKeys: 3 },
    ),
  })
  .map(({ className, replacements }) => ({
    className,
    body: JSON.stringify({
      ...(SAMPLE_TASKS[className] as object),
      ...replacements,
    }),
  }));

const arbitraryBody = fc.record({
  className: fc.oneof(
    fc.constantFrom(...classNames),
    fc.string({ maxLength: 12 }),
  ),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constant(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  ),
});

const request = fc.record({
  target: fc.oneof(mutatedTask, arbitraryBody),
  key: fc.option(fc.string({ unit: 'binary', maxLength: 300 }), {
    nil: undefined,
  }),
  keyHeaderName: fc.constantFrom(
    'Idempotency-Key',
    'idempotency-key',
    'IDEMPOTENCY-KEY',
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/problem+json',
    undefined,
  ),
  base64: fc.boolean(),
});

beforeAll(() => {
  process.env.EKBAR_TASKS_TABLE = 'ekbar-tasks';
  process.env.EKBAR_IDEMPOTENCY_TABLE = 'ekbar-idempotency';
  for (const name of classNames) {
    process.env[`EKBAR_QUEUE_URL_${name.toUpperCase().replace(/-/g, '_')}`] =
      `http://127.0.0.1:1/queue/ekbar-${name}.fifo`;
  }
});

beforeEach(() => {
  documents.reset();
  sqs.reset();
  documents.on(TransactWriteCommand).resolves({});
  documents.on(PutCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  documents.on(GetCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});

describe('ingest handler under generated input', () => {
  it('never answers 5xx and never enqueues rejected input', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        sqs.resetHistory();
        const headers: Record<string, string> = {};
        if (input.contentType !== undefined) {
          headers['Content-Type'] = input.contentType;
        }
        if (input.key !== undefined) {
          headers[input.keyHeaderName] = input.key;
        }
        const raw = input.target.body;
        const event = apiEvent({
          method: 'POST',
          target: input.target.className,
          rawBody: input.base64 ? Buffer.from(raw).toString('base64') : raw,
          isBase64Encoded: input.base64,
          headers,
        });
        if (input.contentType === undefined) {
          delete event.headers['Content-Type'];
        }

        const result = await handler(event, lambdaContext('ingest'));

        expect(result.statusCode).toBeLessThan(500);
        const sends = sqs.commandCalls(SendMessageCommand);
        if (result.statusCode >= 400) {
          expect(sends).toHaveLength(0);
        }
        for (const send of sends) {
          expect(hasSqsInvalidCharacter(send.args[0].input.MessageBody)).toBe(
            false,
          );
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('ingest handler body limits', () => {
  const post = (rawBody: string) =>
    handler(
      apiEvent({
        method: 'POST',
        target: 'analytics',
        rawBody,
      }),
      lambdaContext('ingest'),
    );

  it('rejects a body nested 100,000 deep', async () => {
    const result = await post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).detail).toContain('nested deeper');
  });

  it.each([
    [
      'a lone surrogate',
      '{"eventId":"e1","name":"n","entityId":"x\\ud800y"}',
      'entityId',
    ],
    [
      'a number beyond 2^53',
      '{"eventId":"e1","name":"n","entityId":"x","value":1e308}',
      'value',
    ],
  ])('rejects %s naming the field', async (_, rawBody, field) => {
    const result = await post(rawBody);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).field).toBe(field);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
