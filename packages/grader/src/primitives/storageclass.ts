// The StorageClass for dynamic provisioning exists (with the expected provisioner), and the
// claim, when it exists, asks for it.
import { z } from 'zod';
import { byName } from './common.ts';
import type { Primitive } from './registry.ts';

const params = z.strictObject({
  name: z.string().min(1),
  provisioner: z.string().min(1).optional(),
  /** When given and the claim exists, its storageClassName must be `name`. */
  claim: z.string().min(1).optional(),
});

/** Parameters of storageclass. */
export type StorageClassParams = z.infer<typeof params>;

/** storageclass: the StorageClass exists with the expected provisioner, and the claim uses it. */
export const storageClass: Primitive<StorageClassParams> = {
  name: 'storageclass',
  description: 'StorageClass present (with the expected provisioner) and used by the claim',
  params,
  defaultTimeoutSeconds: 30,
  async run(ctx, p) {
    const classes = await ctx.cluster.storageClasses(ctx.signal);
    const sc = byName(classes, p.name);
    const found = {
      storageClasses: classes.map((c) => ({
        name: c.metadata?.name,
        provisioner: c.provisioner,
        default: c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
      })),
    };
    const expected = { name: p.name, provisioner: p.provisioner ?? '(any)' };
    if (!sc) return { status: 'fail', message: `StorageClass ${p.name} not found`, hint: 'storageclass-missing', evidence: { expected, found } };
    if (p.provisioner && sc.provisioner !== p.provisioner) {
      return {
        status: 'fail',
        message: `StorageClass ${p.name} uses provisioner ${sc.provisioner}, expected ${p.provisioner}`,
        hint: 'storageclass-missing',
        evidence: { expected, found },
      };
    }
    if (p.claim) {
      const pvc = byName(await ctx.cluster.persistentVolumeClaims(ctx.namespace, ctx.signal), p.claim);
      const cls = pvc?.spec?.storageClassName;
      if (pvc && cls !== p.name) {
        return {
          status: 'fail',
          message: `StorageClass ${p.name} exists, but claim ${p.claim} asks for storageClassName ${JSON.stringify(cls ?? null)}`,
          hint: 'claim-not-dynamic',
          evidence: { expected: { ...expected, claimStorageClassName: p.name }, found: { ...found, claimStorageClassName: cls ?? null } },
        };
      }
    }
    return { status: 'pass', message: `StorageClass ${p.name} exists (provisioner ${sc.provisioner})`, evidence: { expected, found } };
  },
};
