// A browser-like client of the api (`@kubegrade/api/client`): it keeps the cookies the api sets
// (the session) and sends the session's CSRF token on state-changing requests, as the web app does.
// One client for the api's tests (over app.inject), the bench and the scripts (over fetch); each
// gives it a Transport. It imports nothing, so production code and scripts can use it freely.

/** One request as the client sends it. */
export interface ClientRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A JSON value (or a string, sent as it is). */
  payload?: unknown;
}

/** How requests reach the api, and what the client reads of a response. */
export interface Transport<R> {
  send(request: ClientRequest): Promise<R>;
  status(response: R): number;
  /** The response's Set-Cookie headers. */
  setCookies(response: R): string[];
  json(response: R): Promise<unknown>;
  text(response: R): Promise<string>;
}

/** A GraphQL response body. */
export interface GqlBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

/** The api refused what the client was asked to do (a sign-in, a GraphQL operation). */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';
}

/** A client with a cookie jar and the session's CSRF token. */
export class ApiClient<R> {
  private readonly cookies = new Map<string, string>();
  /** The session's CSRF token ('' until the first state-changing request or refreshCsrf). */
  csrf = '';

  constructor(private readonly transport: Transport<R>) {}

  /** The Cookie header the client sends ('' before the api set any cookie). */
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: R): void {
    for (const c of this.transport.setCookies(response)) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      if (i > 0) this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  /** Any request, with the cookies and (for state-changing methods) the CSRF header. */
  async request(
    method: string,
    path: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<R> {
    if (method !== 'GET' && !this.csrf) await this.refreshCsrf();
    const response = await this.transport.send({
      method,
      path,
      payload,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(method !== 'GET' && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
    });
    this.keep(response);
    return response;
  }

  /** GET /auth/csrf: a token bound to this client's session. */
  async refreshCsrf(): Promise<void> {
    const response = await this.transport.send({
      method: 'GET',
      path: '/auth/csrf',
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    this.keep(response);
    this.csrf = ((await this.transport.json(response)) as { token: string }).token;
  }

  /** POST /auth/login; the answer as it came. */
  async login(email: string, password: string): Promise<R> {
    return this.request('POST', '/auth/login', { email, password });
  }

  /** Signs in; throws ApiClientError with the api's answer when refused. */
  async signIn(email: string, password: string): Promise<void> {
    const response = await this.login(email, password);
    const status = this.transport.status(response);
    if (status !== 200)
      throw new ApiClientError(
        `sign-in as ${email} was refused: HTTP ${status} ${await this.transport.text(response)}`,
      );
  }

  /** POST /graphql; the body as it came. */
  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GqlBody<T>> {
    const response = await this.request('POST', '/graphql', { query, variables });
    return (await this.transport.json(response)) as GqlBody<T>;
  }

  /** POST /graphql; the data, or ApiClientError with the errors' messages. */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.request('POST', '/graphql', { query, variables });
    const body = (await this.transport.json(response)) as GqlBody<T>;
    if (body.errors?.length || !body.data)
      throw new ApiClientError(
        `GraphQL failed: ${body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${this.transport.status(response)}`}`,
      );
    return body.data;
  }
}

/** Requests over HTTP to `apiUrl` with fetch. */
export function fetchTransport(apiUrl: string): Transport<Response> {
  return {
    send: ({ method, path, headers, payload }) =>
      fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          ...(payload !== undefined && typeof payload !== 'string'
            ? { 'content-type': 'application/json' }
            : {}),
          ...headers,
        },
        body:
          payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    status: (r) => r.status,
    setCookies: (r) => r.headers.getSetCookie(),
    json: (r) => r.json() as Promise<unknown>,
    text: (r) => r.text(),
  };
}

/** A client of the api at `apiUrl` over HTTP. */
export function httpClient(apiUrl: string): ApiClient<Response> {
  return new ApiClient(fetchTransport(apiUrl));
}
