import { describe, expect, it } from 'vitest';
import * as route from './route';

describe('GET /healthz', () => {
  it('answers 200 {ok:true}, uncached', async () => {
    const res = route.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ ok: true });
    expect(route.dynamic).toBe('force-dynamic');
  });
});
