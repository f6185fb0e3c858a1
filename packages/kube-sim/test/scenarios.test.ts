import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  generateClass,
  loadManifests,
  ManifestError,
  MISTAKES_BY_LAB,
  readManifests,
  type Manifest,
} from '../src/scenarios/index.ts';

const fixtures = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'scenarios-fixtures',
  'redis-exist-pvc',
);

function find(objects: Manifest[], kind: string): Manifest | undefined {
  return objects.find((o) => o.kind === kind);
}

describe('loadManifests', () => {
  it('applies a directory of chapter manifests into the namespace, creating it first', async () => {
    const applied: Manifest[][] = [];
    const objects = await loadManifests(
      { apply: async (o) => void applied.push(o as Manifest[]) },
      fixtures,
      'shiqi',
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PersistentVolume/pv-shiqi-redis-exist-pvc',
      'PersistentVolumeClaim/pvc-shiqi-redis-exist-pvc',
      'Service/service-headless-redis-exist-pvc',
      'StatefulSet/statefulset-redis-exist-pvc',
    ]);
    expect(applied[0]?.[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shiqi' } });
    expect(find(objects, 'PersistentVolume')?.metadata.namespace).toBeUndefined();
  });

  it("refuses a manifest from another namespace with kubectl's message, and can rename", () => {
    expect(() => readManifests(fixtures, 'alice')).toThrow(ManifestError);
    expect(() => readManifests(fixtures, 'alice')).toThrow(
      `the namespace from the provided object "shiqi" does not match the namespace "alice". You must pass '--namespace=shiqi' to perform this operation.`,
    );
    const renamed = readManifests(fixtures, 'alice', { substitute: { shiqi: 'alice' } });
    expect(find(renamed, 'PersistentVolume')?.metadata.name).toBe('pv-alice-redis-exist-pvc');
  });
});

describe('generateClass', () => {
  it('builds correct namespaces with the names from labs.md and a default StorageClass', () => {
    const spec = generateClass({ students: 3, lab: 'redis-exist-pvc', seed: 7 });
    expect(spec.students.map((s) => s.namespace)).toEqual(['student-001', 'student-002', 'student-003']);
    expect(
      spec.clusterObjects[0]?.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'],
    ).toBe('true');
    const s = spec.students[0]!;
    expect(s.mistake).toBeNull();
    expect(s.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/student-001',
      'PersistentVolume/pv-student-001-redis-exist-pvc',
      'PersistentVolumeClaim/pvc-student-001-redis-exist-pvc',
      'StatefulSet/statefulset-redis-exist-pvc',
      'Service/redis-exist-pvc',
    ]);
    const pv = find(s.objects, 'PersistentVolume')!;
    expect(pv.spec).toMatchObject({
      nfs: { server: '192.168.110.168', path: '/nfs/student-001-redis-exist-pvc' },
      claimRef: { name: 'pvc-student-001-redis-exist-pvc', namespace: 'student-001' },
    });
    expect(JSON.stringify(find(s.objects, 'StatefulSet'))).toContain('"image":"redis:7.4.4"');
  });

  it('is deterministic for a seed and gives each mistaken student exactly one mistake', () => {
    const a = generateClass({ students: 200, lab: 'redis-exist-pvc', seed: 42, mistakes: { rate: 0.5 } });
    const b = generateClass({ students: 200, lab: 'redis-exist-pvc', seed: 42, mistakes: { rate: 0.5 } });
    expect(a).toEqual(b);
    const wrong = a.students.filter((s) => s.mistake !== null);
    expect(wrong.length).toBeGreaterThan(60);
    expect(wrong.length).toBeLessThan(140);
    expect(new Set(wrong.map((s) => s.mistake)).size).toBe(MISTAKES_BY_LAB['redis-exist-pvc'].length);
  });

  it('writes each chosen mistake into the objects', () => {
    const plan = [
      'claimref-wrong-namespace',
      'missing-storageclassname',
      'servicename-mismatch',
      'emptydir-instead-of-claim',
      'no-service',
      'stale-claimref',
      'service-not-headless',
      'half-done',
    ] as const;
    const spec = generateClass({ students: plan.length, lab: 'redis-exist-pvc', mistakes: plan });
    const by = (m: string) => spec.students.find((s) => s.mistake === m)!.objects;
    expect(find(by('claimref-wrong-namespace'), 'PersistentVolume')?.spec).toMatchObject({
      claimRef: { namespace: 'default' },
    });
    expect(find(by('missing-storageclassname'), 'PersistentVolumeClaim')?.spec).not.toHaveProperty(
      'storageClassName',
    );
    // The claim comes first, the pre-bound PV after it (see StudentScenario.after).
    expect(
      spec.students.find((s) => s.mistake === 'missing-storageclassname')?.after.map((o) => o.kind),
    ).toEqual(['PersistentVolume']);
    expect(find(by('servicename-mismatch'), 'Service')?.metadata.name).toBe(
      'service-headless-redis-exist-pvc',
    );
    expect(JSON.stringify(find(by('emptydir-instead-of-claim'), 'StatefulSet'))).toContain('"emptyDir":{}');
    expect(find(by('no-service'), 'Service')).toBeUndefined();
    expect((find(by('stale-claimref'), 'PersistentVolume')?.spec?.claimRef as { uid?: string }).uid).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(find(by('service-not-headless'), 'Service')?.spec).not.toHaveProperty('clusterIP');
    expect(by('half-done').map((o) => o.kind)).toEqual([
      'Namespace',
      'PersistentVolume',
      'PersistentVolumeClaim',
    ]);
  });

  it('refuses a mistake that does not apply to the lab', () => {
    expect(() => generateClass({ students: 1, lab: 'pv-claimref', mistakes: ['no-service'] })).toThrow(
      /does not apply to lab pv-claimref/,
    );
  });
});
