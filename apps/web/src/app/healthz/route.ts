// Liveness/readiness probe for deployments (deploy/base/web.yaml): 200 {"ok":true} whenever the
// Next server answers. It checks nothing downstream (the api has its own probe), needs no session
// and is never cached.

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
