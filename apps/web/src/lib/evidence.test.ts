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

  it('shows the grader messages inside evidence in the reader language', () => {
    const replicas = {
      $msg: 'sts.expected-replicas',
      params: {},
      zh: '>= 1，全部就绪',
      en: '>= 1, all Ready',
    };
    const evidence = { expected: { replicas }, found: { replicas: 1 }, wrong: [replicas] };
    expect(evidenceTable(evidence, 'zh-CN').rows).toEqual([
      { field: 'replicas', expected: '>= 1，全部就绪', found: '1', matches: false },
    ]);
    expect(evidenceTable(evidence, 'zh-CN').details).toEqual([
      { field: 'wrong', value: '[">= 1，全部就绪"]' },
    ]);
    expect(evidenceTable(evidence, 'en').rows[0]?.expected).toBe('>= 1, all Ready');
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
