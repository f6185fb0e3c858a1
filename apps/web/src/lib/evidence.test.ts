import { describe, expect, it } from 'vitest';
import { evidenceTable } from './evidence';

describe('evidenceTable', () => {
  it('lines up expected and found fields and marks the mismatch', () => {
    const t = evidenceTable({
      service: 'service-headless-redis-exist-pvc',
      expected: { serviceName: 'redis-exist-pvc', clusterIP: 'None' },
      found: {
        serviceName: 'service-headless-redis-exist-pvc',
        clusterIP: 'None',
        selector: { app: 'redis' },
      },
    });
    expect(t.rows).toEqual([
      {
        field: 'serviceName',
        expected: 'redis-exist-pvc',
        found: 'service-headless-redis-exist-pvc',
        matches: false,
      },
      { field: 'clusterIP', expected: 'None', found: 'None', matches: true },
      { field: 'selector.app', expected: null, found: 'redis', matches: null },
    ]);
    expect(t.details).toEqual([{ field: 'service', value: 'service-headless-redis-exist-pvc' }]);
  });

  it('shows missing objects and arrays readably', () => {
    const t = evidenceTable({
      expected: { pv: 'pv-a', accessModes: ['ReadWriteMany'] },
      found: { pv: null, accessModes: [] },
    });
    expect(t.rows).toEqual([
      { field: 'pv', expected: 'pv-a', found: '—', matches: false },
      { field: 'accessModes', expected: '["ReadWriteMany"]', found: '[]', matches: false },
    ]);
  });

  it('keeps evidence without expected/found as plain details', () => {
    expect(evidenceTable({ pod: 'redis-0', restartCount: 3 })).toEqual({
      rows: [],
      details: [
        { field: 'pod', value: 'redis-0' },
        { field: 'restartCount', value: '3' },
      ],
    });
    expect(evidenceTable(null)).toEqual({ rows: [], details: [] });
  });
});
