import {
  type MockProvider,
  type ProviderSnapshot,
  startMockProvider,
} from '../../../scripts/local/mock-provider';
import { send, silentLogger } from './fixtures';

let provider: MockProvider;

beforeAll(async () => {
  provider = await startMockProvider({ logger: silentLogger });
});

beforeEach(() => {
  provider.reset();
});

afterAll(async () => {
  await provider.stop();
});

const postMessage = (body: string, key?: string) =>
  send(`${provider.url}/messages`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body,
  });

const listMessages = async (): Promise<ProviderSnapshot> =>
  JSON.parse((await send(`${provider.url}/messages`)).body);

describe('mock provider idempotency', () => {
  it('delivers the first request with a key', async () => {
    const response = await postMessage('{"to":"+911234567890"}', 'key-1');

    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      idempotencyKey: 'key-1',
    });
    expect(response.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays a repeated key without delivering', async () => {
    // Prepare
    const first = await postMessage('{"to":"a","text":"hi"}', 'key-2');

    // Act
    const second = await postMessage('{"text":"hi","to":"a"}', 'key-2');

    // Assess
    expect(second.status).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const snapshot = await listMessages();
    expect(snapshot.messages).toHaveLength(1);
    expect(snapshot.postCount).toBe(2);
    expect(snapshot.replayCount).toBe(1);
  });

  it('rejects a reused key with another body', async () => {
    await postMessage('{"to":"a"}', 'key-3');

    const response = await postMessage('{"to":"b"}', 'key-3');

    expect(response.status).toBe(422);
    expect((await listMessages()).messages).toHaveLength(1);
  });

  it('delivers every request without a key', async () => {
    await postMessage('{"to":"a"}');
    await postMessage('{"to":"a"}');

    const snapshot = await listMessages();

    expect(snapshot.messages).toHaveLength(2);
    expect(snapshot.messages[0]?.idempotencyKey).toBeNull();
  });
});

describe('mock provider listing', () => {
  it('lists what was delivered', async () => {
    await postMessage('{"to":"a"}', 'key-4');

    const snapshot = await listMessages();

    expect(snapshot.messages).toEqual([
      {
        idempotencyKey: 'key-4',
        id: expect.stringMatching(/^msg_/),
        body: { to: 'a' },
        receivedAt: expect.any(String),
      },
    ]);
    expect(snapshot.postCount).toBe(1);
  });

  it('forgets everything on DELETE', async () => {
    await postMessage('{"to":"a"}', 'key-5');

    const deleted = await send(`${provider.url}/messages`, {
      method: 'DELETE',
    });

    expect(deleted.status).toBe(204);
    expect(await listMessages()).toEqual({
      messages: [],
      postCount: 0,
      replayCount: 0,
    });
  });
});

describe('mock provider errors', () => {
  it('rejects a body that is not JSON', async () => {
    const response = await postMessage('not json', 'key-6');

    expect(response.status).toBe(400);
    expect((await listMessages()).messages).toEqual([]);
  });

  it('answers an unknown path with 404', async () => {
    const response = await send(`${provider.url}/other`);

    expect(response.status).toBe(404);
  });

  it('fails every request at failure rate 1', async () => {
    const failing = await startMockProvider({
      failureRate: 1,
      logger: silentLogger,
    });

    const response = await send(`${failing.url}/messages`, {
      method: 'POST',
      headers: { 'Idempotency-Key': 'key-7' },
      body: '{"to":"a"}',
    });
    const snapshot = JSON.parse((await send(`${failing.url}/messages`)).body);
    await failing.stop();

    expect(response.status).toBe(503);
    expect(snapshot.messages).toEqual([]);
    expect(snapshot.postCount).toBe(1);
  });

  it('rejects a failure rate above 1', async () => {
    await expect(startMockProvider({ failureRate: 1.5 })).rejects.toThrow(
      'failureRate must be a number from 0 to 1, got 1.5',
    );
  });
});
