// The shape of a built-in primitive: gather(ctx) reads the cluster into plain Facts, and a pure
// judge(facts, params) decides the verdict from them alone (tests give it fixture tables, no
// cluster). A judge that needs more than the first look answers { need } instead, and is asked
// again once gatherMore() has read it: what is read, and when, is what a person would look at next
// (a storage class only for a claim that is not Bound, a pod's log only for a crashing pod).
import { untilSettled } from './common.ts';
import type { Verdict } from './outcome.ts';
import type { CheckContext, Primitive } from './registry.ts';

/** A judge's answer: the verdict, or what it needs to see before it can give one. */
export type Judgement<N> = Verdict | { need: N };

/** What a built-in primitive is made of. */
export interface GatherJudge<P, F, N = never> extends Omit<Primitive<P>, 'run'> {
  /** The first look at the cluster. */
  gather(ctx: CheckContext, p: P): Promise<F>;
  /** Reads what the judge asked for, into the facts. */
  gatherMore?(ctx: CheckContext, p: P, facts: F, need: N): Promise<F>;
  /** The verdict from the facts alone. */
  judge(facts: F, p: P): Judgement<N>;
  /** Seconds a transient verdict may take to settle (gather and judge again until it does); none: judged once. */
  settleSeconds?(p: P): number;
}

/** Gathers, and gathers more while the judge asks, until the judge decides. */
export async function gatherAndJudge<P, F, N>(
  spec: GatherJudge<P, F, N>,
  ctx: CheckContext,
  p: P,
): Promise<Verdict> {
  let facts = await spec.gather(ctx, p);
  for (;;) {
    const j = spec.judge(facts, p);
    if (!('need' in j)) return j;
    if (!spec.gatherMore)
      throw new Error(`${spec.name}: the judge needs more facts, and nothing gathers them`);
    facts = await spec.gatherMore(ctx, p, facts, j.need);
  }
}

/** A registrable primitive from its gather and judge (settling when it says so). */
export function definePrimitive<P, F, N = never>(
  spec: GatherJudge<P, F, N>,
): Primitive<P> & GatherJudge<P, F, N> {
  return {
    ...spec,
    async run(ctx, p) {
      const settle = spec.settleSeconds?.(p);
      if (settle === undefined) {
        const { transient: _transient, ...outcome } = await gatherAndJudge(spec, ctx, p);
        return outcome;
      }
      return untilSettled(ctx, settle, () => gatherAndJudge(spec, ctx, p));
    },
  };
}
