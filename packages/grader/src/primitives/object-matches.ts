// A generic check without code: an object's fields partially match an expected shape, as chainsaw
// asserts do. Maps match on the keys given; lists match element by element with the same length;
// quantities compare as quantities.
import { z } from 'zod';
import { isHintKey } from '../hints.ts';
import { parseQuantity, quantitiesEqual } from '../quantity.ts';
import { msg } from '../messages.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import { definePrimitive } from './define.ts';
import { fail, pass } from './outcome.ts';
import type { Outcome } from './registry.ts';

const params = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
  /** Namespace of the object; default the student's. */
  namespace: z.string().min(1).optional(),
  clusterScoped: z.boolean().default(false),
  match: z.record(z.string(), z.unknown()),
  /** A catalog hint key to show when it does not match. */
  hint: z
    .string()
    .refine((k) => isHintKey(k), 'not a hint key in the catalog')
    .optional(),
});

/** Parameters of object-matches. */
export type ObjectMatchesParams = z.infer<typeof params>;

/** The first difference between `actual` and the partial `expected`, or undefined when it matches. */
export function firstMismatch(
  expected: unknown,
  actual: unknown,
  path = '',
): { path: string; expected: unknown; found: unknown } | undefined {
  if (expected === null || typeof expected !== 'object') {
    if (expected === actual) return undefined;
    if (
      typeof expected === 'string' &&
      parseQuantity(expected) !== undefined &&
      quantitiesEqual(expected, actual)
    )
      return undefined;
    if (
      (typeof expected === 'number' || typeof expected === 'boolean') &&
      String(expected) === String(actual)
    )
      return undefined;
    return { path: path || '.', expected, found: actual ?? null };
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return { path: path || '.', expected, found: actual ?? null };
    for (let i = 0; i < expected.length; i++) {
      const m = firstMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
    return { path: path || '.', expected, found: actual ?? null };
  for (const [k, v] of Object.entries(expected)) {
    const m = firstMismatch(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (m) return m;
  }
  return undefined;
}

/** What object-matches reads: the objects of that kind (in that namespace), as plain JSON. */
export interface ObjectMatchesFacts {
  /** The namespace listed; undefined for a cluster-scoped kind. */
  namespace: string | undefined;
  items: KubernetesObject[];
}

/** object-matches: the named object exists and its fields match `match`. */
export const objectMatches = definePrimitive<ObjectMatchesParams, ObjectMatchesFacts>({
  name: 'object-matches',
  description: "Partial match of an object's fields (chainsaw-style assert)",
  params,
  defaultTimeoutSeconds: 30,
  async gather(ctx, p) {
    const namespace = p.clusterScoped ? undefined : (p.namespace ?? ctx.namespace);
    return { namespace, items: await ctx.cluster.listAny(p.apiVersion, p.kind, namespace, ctx.signal) };
  },
  judge: judgeObjectMatches,
});

/** object-matches' verdict on the listed objects. */
export function judgeObjectMatches(
  { namespace: ns, items }: ObjectMatchesFacts,
  p: ObjectMatchesParams,
): Outcome {
  const obj = items.find((i) => i.metadata?.name === p.name);
  const where = `${p.kind} ${ns ? `${ns}/` : ''}${p.name}`;
  const hintKey = p.hint && isHintKey(p.hint) ? p.hint : null;
  if (!obj) return fail(msg('om.missing', { where }), hintKey, { expected: p.match, found: null });
  const m = firstMismatch(p.match, obj);
  if (m) {
    return fail(
      msg('om.mismatch', {
        where,
        path: m.path,
        found: String(JSON.stringify(m.found)),
        expected: String(JSON.stringify(m.expected)),
      }),
      hintKey,
      { expected: p.match, mismatch: m },
    );
  }
  return pass(msg('om.pass', { where }), { expected: p.match });
}
