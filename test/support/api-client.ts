/** A response of the ekbar API, body parsed when it is JSON. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A minimal client for the ekbar HTTP API, local or deployed. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async post(
    className: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    return this.request(`/v1/tasks/${className}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async get(taskId: string): Promise<ApiResponse> {
    return this.request(`/v1/tasks/${encodeURIComponent(taskId)}`, {
      method: 'GET',
    });
  }

  async request(path: string, init: RequestInit): Promise<ApiResponse> {
    const headers = new Headers(init.headers);
    if (!headers.has('x-api-key') && this.apiKey) {
      headers.set('x-api-key', this.apiKey);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      headers,
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { text };
    }
    return { status: response.status, headers: response.headers, body };
  }
}
