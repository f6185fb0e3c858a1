// Forwards a browser request to the api so its cookie stays same-origin with the pages.
// Runs on the server (route handlers); reads API_URL at request time.

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-encoding',
  'proxy-connection',
  'te',
  'trailer',
]);

/** The api's base URL (API_URL, default http://127.0.0.1:4000), without a trailing slash. */
export function apiBaseUrl(): string {
  return (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
}

/** Sends the request on to the same path on the api and streams the answer back. */
export async function proxyToApi(request: Request): Promise<Response> {
  const incoming = new URL(request.url);
  const target = `${apiBaseUrl()}${incoming.pathname}${incoming.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key.toLowerCase())) headers.set(key, value);
  });
  // X-Forwarded-For passes on as the server set it: src/lib/client-address.ts (installed by
  // src/instrumentation.ts) replaced whatever the browser sent with the address this server saw.
  headers.set('x-forwarded-host', request.headers.get('host') ?? incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return Response.json(
      {
        error: {
          code: 'API_UNREACHABLE',
          message: `The Kubegrade api at ${apiBaseUrl()} did not answer (${reason}). Is it running?`,
        },
      },
      { status: 502 },
    );
  }
  const out = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key.toLowerCase()) && key.toLowerCase() !== 'set-cookie') out.set(key, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: out,
  });
}
