// The StorageClass for dynamic provisioning exists (with the expected provisioner), and the
// claim, when it exists, asks for it.
import { z } from 'zod';
import { byName } from './common.ts';
import { msg } from '../messages.ts';
import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { definePrimitive, type Judgement } from './define.ts';
import { error, fail, pass } from './outcome.ts';

const params = z.strictObject({
  name: z.string().min(1),
  provisioner: z.string().min(1).optional(),
  /** When given and the claim exists, its storageClassName must be `name`. */
  claim: z.string().min(1).optional(),
});

/** Parameters of storageclass. */
export type StorageClassParams = z.infer<typeof params>;

/** What storageclass reads: every StorageClass, and (asked for) the namespace's claims. */
export interface StorageClassFacts {
  classes: V1StorageClass[];
  claims?: V1PersistentVolumeClaim[];
}

/** storageclass: the StorageClass exists with the expected provisioner, and the claim uses it. */
export const storageClass = definePrimitive<StorageClassParams, StorageClassFacts, 'claims'>({
  name: 'storageclass',
  description: 'StorageClass present (with the expected provisioner) and used by the claim',
  params,
  defaultTimeoutSeconds: 30,
  gather: async (ctx) => ({ classes: await ctx.cluster.storageClasses(ctx.signal) }),
  gatherMore: async (ctx, _p, facts) => ({
    ...facts,
    claims: await ctx.cluster.persistentVolumeClaims(ctx.namespace, ctx.signal),
  }),
  judge: judgeStorageClass,
});

/** storageclass's verdict; the claims are read only for a class that is right. */
export function judgeStorageClass(facts: StorageClassFacts, p: StorageClassParams): Judgement<'claims'> {
  const { classes } = facts;
  const sc = byName(classes, p.name);
  const found = {
    storageClasses: classes.map((c) => ({
      name: c.metadata?.name,
      provisioner: c.provisioner,
      default: c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    })),
  };
  const expected = { name: p.name, provisioner: p.provisioner ?? msg('any') };
  if (!sc) return fail(msg('sc.missing', { name: p.name }), 'storageclass-missing', { expected, found });
  if (p.provisioner && sc.provisioner !== p.provisioner) {
    // The class belongs to the course environment: a different provisioner is not the student's doing.
    return error(
      msg('sc.provisioner-differs', { name: p.name, found: sc.provisioner, expected: p.provisioner }),
      'env-storageclass-provisioner',
      { expected, found },
    );
  }
  if (p.claim) {
    if (!facts.claims) return { need: 'claims' };
    const pvc = byName(facts.claims, p.claim);
    const cls = pvc?.spec?.storageClassName;
    if (pvc && cls !== p.name) {
      return fail(
        msg('sc.claim-class', { name: p.name, claim: p.claim, found: JSON.stringify(cls ?? null) }),
        'claim-not-dynamic',
        {
          expected: { ...expected, claimStorageClassName: p.name },
          found: { ...found, claimStorageClassName: cls ?? null },
        },
      );
    }
  }
  return pass(msg('sc.pass', { name: p.name, provisioner: sc.provisioner }), { expected, found });
}
