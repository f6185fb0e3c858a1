import { proxyToApi } from '@/lib/proxy';

// Proxied to the api at request time (see src/lib/proxy.ts); never cached.
export const dynamic = 'force-dynamic';

export const GET = proxyToApi;
export const POST = proxyToApi;
export const PUT = proxyToApi;
export const PATCH = proxyToApi;
export const DELETE = proxyToApi;
