// Lab A (pv-claimref) scenarios: correct, every claimRef/claim mistake, and both ways the chapter
// teaches to recover a Released PV (claimRef null, or only uid/resourceVersion removed).
import {
  correctObjects,
  edit,
  NFS_SERVER,
  only,
  pvcPhase,
  pvPhase,
  studentObjects,
  without,
} from './manifests.ts';
import type { Scenario } from './types.ts';

const PASS = { 'pv-claimref': 'pass', 'pvc-bound': 'pass' };

/** Lab A's scenarios. */
export function labAScenarios(nfsServer = NFS_SERVER): Scenario[] {
  const out: Scenario[] = [];
  const base = (
    namespace: string,
    title: string,
    steps: Scenario['steps'],
    expect: Record<string, string>,
    extra: Partial<Scenario> = {},
  ): void => {
    out.push({ lab: 'pv-claimref', namespace, title, steps, expect, redisPods: 0, ...extra });
  };

  // Section 6.4: the claim is deleted, the Retain PV goes Released with the old uid, a new claim of
  // the same name is made, and the PV's claimRef is cleared (method one) or only its uid and
  // resourceVersion (method two). The end state is graded.
  for (const [namespace, body, title] of [
    [
      'a-released-null',
      { spec: { claimRef: null } },
      'claim re-created, Released PV fixed with claimRef: null (6.4 method one)',
    ],
    [
      'a-released-uid',
      { spec: { claimRef: { uid: null, resourceVersion: null } } },
      'claim re-created, Released PV fixed by removing uid and resourceVersion (6.4 method two)',
    ],
  ] as const) {
    const objects = correctObjects('pv-claimref', namespace, nfsServer);
    const pv = `pv-${namespace}-redis`;
    const pvc = `pvc-${namespace}-redis`;
    base(
      namespace,
      title,
      [
        { apply: objects },
        pvcPhase(namespace, pvc, 'Bound'),
        { delete: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: pvc } },
        pvPhase(pv, 'Released'),
        { apply: only(objects, 'PersistentVolumeClaim') },
        { patch: { apiVersion: 'v1', kind: 'PersistentVolume', name: pv, body } },
        pvcPhase(namespace, pvc, 'Bound'),
      ],
      PASS,
      // A PV whose claimRef is cleared is up for grabs: other scenarios' Pending claims would take
      // it (method two keeps name and namespace, so only its own claim can).
      namespace === 'a-released-null' ? { wave: -2 } : {},
    );
  }

  {
    // Shared-cluster hazard (6.4's first fix): the victim clears its Released PV's claimRef before
    // re-creating its claim, and the thief's Pending claim (its own PV reserved for "default")
    // takes the freed PV.
    const thief = 'a-shared-thief';
    const victim = 'a-shared-victim';
    base(
      thief,
      'Pending claim that takes a PV another namespace freed with claimRef: null',
      [{ apply: studentObjects('pv-claimref', thief, 'claimref-wrong-namespace', nfsServer).objects }],
      {
        'pv-claimref': 'fail claimref-namespace-wrong',
        'pvc-bound': 'fail shared-pv-taken',
      },
      { wave: -1 },
    );
    const objects = correctObjects('pv-claimref', victim, nfsServer);
    const pv = `pv-${victim}-redis`;
    const pvc = `pvc-${victim}-redis`;
    base(
      victim,
      'Released PV freed with claimRef: null before re-creating the claim; another namespace took it',
      [
        { apply: objects },
        pvcPhase(victim, pvc, 'Bound'),
        { delete: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: victim, name: pvc } },
        pvPhase(pv, 'Released'),
        {
          patch: { apiVersion: 'v1', kind: 'PersistentVolume', name: pv, body: { spec: { claimRef: null } } },
        },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            name: pv,
            path: 'spec.claimRef.namespace',
            equals: thief,
          },
        },
        pvPhase(pv, 'Bound'),
        { apply: only(objects, 'PersistentVolumeClaim') },
      ],
      { 'pv-claimref': 'fail shared-pv-taken', 'pvc-bound': 'fail shared-pv-taken' },
      { wave: 0 },
    );
  }

  {
    // The PV is deleted while its claim is Bound: pv-protection keeps it, Terminating.
    const namespace = 'a-pv-terminating';
    base(
      namespace,
      'PV deleted while Bound (kept Terminating by pv-protection)',
      [
        { apply: correctObjects('pv-claimref', namespace, nfsServer) },
        pvcPhase(namespace, `pvc-${namespace}-redis`, 'Bound'),
        { delete: { apiVersion: 'v1', kind: 'PersistentVolume', name: `pv-${namespace}-redis` } },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            name: `pv-${namespace}-redis`,
            path: 'metadata.deletionTimestamp',
            present: true,
          },
        },
      ],
      { 'pv-claimref': 'fail pv-terminating', 'pvc-bound': 'fail pv-terminating' },
    );
  }

  const generated: Record<string, Record<string, string>> = {
    correct: PASS,
    'claimref-wrong-namespace': {
      'pv-claimref': 'fail claimref-namespace-wrong',
      'pvc-bound': 'fail claimref-namespace-wrong',
    },
    // The claim is created before the PV: the default class provisions a volume for it.
    'missing-storageclassname': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-storageclass-missing' },
    'stale-claimref': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-stale-claimref' },
    'pv-capacity-mismatch': {
      'pv-claimref': 'fail pv-attributes-wrong',
      'pvc-bound': 'fail pvc-size-mismatch',
    },
    'pv-accessmode-mismatch': {
      'pv-claimref': 'fail pv-attributes-wrong',
      'pvc-bound': 'fail pvc-access-mode-mismatch',
    },
  };
  for (const [m, expect] of Object.entries(generated)) {
    const namespace = `a-${m}`;
    const s = studentObjects(
      'pv-claimref',
      namespace,
      m === 'correct' ? null : (m as Parameters<typeof studentObjects>[2]),
      nfsServer,
    );
    const steps: Scenario['steps'] = [{ apply: s.objects }];
    if (s.after.length > 0)
      steps.push(pvcPhase(namespace, `pvc-${namespace}-redis`, 'Bound'), { apply: s.after });
    base(namespace, m === 'correct' ? 'the chapter, correct' : `generated mistake ${m}`, steps, expect);
  }

  const edited = (
    namespace: string,
    title: string,
    change: (o: ReturnType<typeof correctObjects>) => ReturnType<typeof correctObjects> | void,
    expect: Record<string, string>,
  ) => {
    const o = correctObjects('pv-claimref', namespace, nfsServer);
    base(namespace, title, [{ apply: change(o) ?? o }], expect);
  };
  edited(
    'a-claimref-name',
    'claimRef names another claim',
    (o) => edit(o, 'PersistentVolume', 'spec.claimRef.name', 'pvc-redis'),
    {
      'pv-claimref': 'fail claimref-name-wrong',
      'pvc-bound': 'fail claimref-name-wrong',
    },
  );
  // Without claimRef the PV is up for grabs; a class of its own keeps other Pending claims from taking it.
  edited(
    'a-no-claimref',
    'PV without claimRef (and no claim)',
    (o) => {
      edit(o, 'PersistentVolume', 'spec.claimRef', undefined);
      edit(o, 'PersistentVolume', 'spec.storageClassName', 'manual-a');
      return without(o, 'PersistentVolumeClaim');
    },
    { 'pv-claimref': 'fail claimref-missing', 'pvc-bound': 'fail pvc-missing' },
  );
  edited(
    'a-pvc-asks-more',
    'claim requests 1Gi',
    (o) => edit(o, 'PersistentVolumeClaim', 'spec.resources.requests.storage', '1Gi'),
    { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-size-mismatch' },
  );
  // 67108864 bytes is 64Mi: a quantity, not a string.
  edited(
    'a-quantity-forms',
    'PV capacity written as 67108864',
    (o) => edit(o, 'PersistentVolume', 'spec.capacity.storage', '67108864'),
    PASS,
  );
  edited('a-no-pv', 'no PV', (o) => without(o, 'PersistentVolume'), {
    'pv-claimref': 'fail pv-missing',
    'pvc-bound': 'fail pvc-no-matching-pv',
  });

  {
    // The PV exists first and is pre-bound: it wins over the defaulted class (as in Kubernetes).
    const namespace = 'a-pv-first-no-class';
    const o = correctObjects('pv-claimref', namespace, nfsServer);
    edit(o, 'PersistentVolumeClaim', 'spec.storageClassName', undefined);
    base(
      namespace,
      'claim without storageClassName, made after its pre-bound PV',
      [
        { apply: without(o, 'PersistentVolumeClaim') },
        pvPhase(`pv-${namespace}-redis`, 'Available'),
        { apply: only(o, 'PersistentVolumeClaim') },
      ],
      PASS,
    );
  }
  {
    // Claim first, without storageClassName "": the default class provisions a volume for it, and
    // the pre-bound PV created afterwards stays Available.
    const namespace = 'a-claim-first';
    const o = correctObjects('pv-claimref', namespace, nfsServer);
    edit(o, 'PersistentVolumeClaim', 'spec.storageClassName', undefined);
    base(
      namespace,
      'claim without storageClassName, made before the PV',
      [
        { apply: without(o, 'PersistentVolume') },
        pvcPhase(namespace, `pvc-${namespace}-redis`, 'Bound'),
        { apply: only(o, 'PersistentVolume') },
      ],
      { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-storageclass-missing' },
    );
  }
  return out;
}
