import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  hints,
  isHintKey,
  listLabs,
  loadLab,
  loadLabById,
  LabValidationError,
  resolveCheckParams,
  resolveParams,
  validateLabFile,
} from '../src/index.ts';
import { applyTemplate } from '../src/lab/template.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubegrade-labs-'));
function labFile(name: string, doc: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof doc === 'string' ? doc : stringify(doc));
  return f;
}

const good = {
  id: 'mini',
  version: 2,
  title: { zh: '小', en: 'mini' },
  params: { pvName: 'pv-{namespace}-x', size: '64Mi' },
  checks: [
    {
      id: 'a',
      uses: 'pv-claimref',
      points: 10,
      title: { zh: 'a', en: 'a' },
      with: { pv: '{pvName}', claimName: 'c', claimNamespace: '{namespace}', capacity: '{size}' },
    },
  ],
};

describe('shipped labs', () => {
  it('ship the three labs with exactly the stable check ids', () => {
    const ids = Object.fromEntries(listLabs().map((l) => [l.id, l.checks.map((c) => c.id)]));
    expect(ids).toEqual({
      'pv-claimref': ['pv-claimref', 'pvc-bound'],
      'redis-exist-pvc': [
        'pv-claimref',
        'pvc-bound',
        'statefulset-ready',
        'headless-dns',
        'redis-persistence',
      ],
      'redis-not-exist-pvc': [
        'storageclass',
        'pvc-bound',
        'statefulset-ready',
        'headless-dns',
        'redis-persistence',
      ],
    });
  });
  it('mark only the pod-delete check disruptive, and every check has both titles', () => {
    for (const lab of listLabs()) {
      for (const c of lab.checks) {
        expect(c.disruptive).toBe(c.id === 'redis-persistence');
        expect(c.title.zh.length).toBeGreaterThan(0);
        expect(c.title.en.length).toBeGreaterThan(0);
      }
    }
  });
  it('template names with the namespace, including parameters built from parameters', () => {
    const b = loadLabById('redis-exist-pvc');
    expect(resolveParams(b, 'shiqi')).toMatchObject({
      pvName: 'pv-shiqi-redis-exist-pvc',
      pvcName: 'pvc-shiqi-redis-exist-pvc',
      nfsPath: '/nfs/shiqi-redis-exist-pvc',
    });
    const c = loadLabById('redis-not-exist-pvc');
    const pvc = c.checks.find((x) => x.id === 'pvc-bound');
    expect(pvc && resolveCheckParams(c, pvc, 'shiqi')).toMatchObject({
      claim: 'pvc-shiqi-statefulset-redis-not-exist-pvc-0',
    });
    const claimref = b.checks[0];
    expect(claimref && resolveCheckParams(b, claimref, 'shiqi')).toMatchObject({
      accessModes: ['ReadWriteMany'],
      claimNamespace: 'shiqi',
    });
  });
  it('reject an unknown lab id with the known ones', () => {
    expect(() => loadLabById('nope')).toThrow(/known: pv-claimref, redis-exist-pvc, redis-not-exist-pvc/);
  });
});

describe('lab validation', () => {
  it('accepts a lab an instructor adapted by editing YAML only', () => {
    const r = validateLabFile(labFile('good.yaml', good));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.lab.version).toBe('2');
  });
  it('rejects a bad file with the path and reason of each problem', () => {
    const bad = {
      ...good,
      checks: [
        { ...good.checks[0], with: { ...good.checks[0]?.with, capacity: 'lots', extra: 1 } },
        { id: 'a', uses: 'no-such-primitive', points: 5, title: { zh: 'x', en: 'x' } },
        { id: 'c', uses: 'pvc-bound', points: -1, title: { zh: 'x', en: 'x' }, with: { claim: 'x' } },
      ],
    };
    const r = validateLabFile(labFile('bad.yaml', bad));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('checks[2].points');
    // Structural errors are reported first; fix them and the rest shows.
    const r2 = validateLabFile(labFile('bad2.yaml', { ...bad, checks: bad.checks.slice(0, 2) }));
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.errors).toEqual(
      expect.arrayContaining([
        { path: 'checks[0].with.capacity', message: 'not a Kubernetes quantity' },
        expect.objectContaining({ path: 'checks[0].with', message: expect.stringContaining('extra') }),
        { path: 'checks[1].id', message: 'duplicate check id a' },
        expect.objectContaining({
          path: 'checks[1].uses',
          message: expect.stringContaining('unknown primitive no-such-primitive'),
        }),
      ]),
    );
  });
  it('rejects unknown placeholders, unknown needs and cycles', () => {
    const doc = {
      ...good,
      checks: [
        { ...good.checks[0], needs: ['b'], with: { ...good.checks[0]?.with, pv: '{pvNme}' } },
        {
          id: 'b',
          uses: 'pvc-bound',
          points: 1,
          title: { zh: 'b', en: 'b' },
          with: { claim: 'x' },
          needs: ['a', 'zz'],
        },
      ],
    };
    const r = validateLabFile(labFile('cycle.yaml', doc));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: 'checks[0].with.pv', message: 'unknown placeholder {pvNme}' },
        { path: 'checks[1].needs[1]', message: 'unknown check id zz' },
        expect.objectContaining({ path: 'checks', message: expect.stringContaining('cycle') }),
      ]),
    );
  });
  it('rejects placeholders that name Object.prototype members by name', () => {
    const names = ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf'];
    const doc = {
      ...good,
      checks: names.map((n, i) => ({
        ...good.checks[0],
        id: `c${i}`,
        with: { ...good.checks[0]?.with, pv: `{${n}}` },
      })),
    };
    const r = validateLabFile(labFile('proto.yaml', doc));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(names.map((n, i) => r.errors.find((e) => e.path === `checks[${i}].with.pv`)?.message)).toEqual(
      names.map((n) => `unknown placeholder {${n}}`),
    );
  });
  it('a placeholder inside a longer string naming a prototype member is unknown too', () => {
    expect(() =>
      applyTemplate({ a: 'x-{toString}-y', b: 'claim-{constructor}' }, { claim: 'c' }, 'ns', 'with'),
    ).toThrow('unknown placeholder {toString}');
  });

  it('reports YAML syntax errors with a line, and loadLab throws them', () => {
    const f = labFile('syntax.yaml', 'id: x\nchecks: [\n');
    const r = validateLabFile(f);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toMatch(/yaml line/);
    expect(() => loadLab(f)).toThrow(LabValidationError);
  });
});

describe('hints', () => {
  it('every hint names a chapter section in both languages', () => {
    for (const [key, h] of Object.entries(hints)) {
      expect(isHintKey(key)).toBe(true);
      expect(h.zh, key).toMatch(/第.部分/);
      expect(h.en, key).toMatch(/Part \d/);
    }
  });
});
