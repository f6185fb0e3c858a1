// Redis data survives a pod delete: write a fresh random value under a grader-owned key, SAVE,
// record the pod's uid, delete the pod gracefully (uid precondition, never forced: force skips
// Redis's save-on-shutdown), wait under a deadline for a Ready pod with a new uid, read the value
// back, remove the key, and report the student's own testkey. Judged by output: redis-cli exits 0
// even on error replies.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { ClusterError, DeadlineError } from '../errors.ts';
import { isPodReady, sleep } from '../kube/util.ts';
import { containerName, environmentFault, podState } from './common.ts';
import type { CheckContext, Outcome, Primitive } from './registry.ts';

const params = z.strictObject({
  statefulSet: z.string().min(1),
  ordinal: z.number().int().min(0).default(0),
  container: z.string().min(1).optional(),
  /** The key the chapter has students write; reported, never judged. */
  studentKey: z.string().min(1).default('testkey'),
  /** Budget for the replacement pod to become Ready (real clusters take 5-40 s). */
  recreateSeconds: z.number().min(1).max(3600).default(180),
  /** How long to retry the read after the new pod is Ready (LOADING replies). */
  readBackSeconds: z.number().min(0).max(600).default(15),
});

/** Parameters of redis-persistence. */
export type RedisPersistenceParams = z.infer<typeof params>;

class RedisCliMissing extends Error {}

async function redis(ctx: CheckContext, pod: string, container: string, args: string[]): Promise<string> {
  const r = await ctx.cluster.exec(ctx.namespace, pod, container, ['redis-cli', ...args], 15_000 * Math.max(1, ctx.timeMultiplier), ctx.signal);
  if (r.kind === 'not-started') throw new RedisCliMissing(r.reason);
  return `${r.stdout}${r.stdout.trim() ? '' : r.stderr}`.trim();
}

/** redis-persistence: a grader-written value survives a graceful delete of the pod. */
export const redisPersistence: Primitive<RedisPersistenceParams> = {
  name: 'redis-persistence',
  description: 'A grader-owned random value written and SAVEd survives a graceful delete of the Redis pod (disruptive)',
  params,
  defaultTimeoutSeconds: 300,
  async run(ctx, p) {
    const name = `${p.statefulSet}-${p.ordinal}`;
    const before = await ctx.cluster.readPod(ctx.namespace, name, ctx.signal);
    if (!before || !isPodReady(before)) {
      return {
        status: 'skipped',
        message: `no Ready pod ${name} to write to, so persistence cannot be evaluated`,
        evidence: { pod: name, state: podState(before) },
      };
    }
    const container = containerName(before, p.container) ?? '';
    const oldUid = before.metadata?.uid ?? '';
    const key = `kubegrade:probe:${randomBytes(6).toString('hex')}`;
    const value = randomBytes(12).toString('hex');
    const evidence: Record<string, unknown> = { pod: name, container, key, expected: { value, survivesDelete: true }, oldUid };
    // The same evidence object is returned, so the cleanup recorded in `finally` still shows.
    const report = (o: Outcome): Outcome => ({ ...o, evidence: Object.assign(evidence, o.evidence ?? {}) });

    let written = false;
    let currentPod = name;
    try {
      evidence.studentKeyBefore = { key: p.studentKey, value: await redis(ctx, name, container, ['GET', p.studentKey]) };
      // redis-cli ping (the readiness probe) succeeds while Redis is still LOADING its dump: wait it out briefly.
      let set = await redis(ctx, name, container, ['SET', key, value]);
      const loadingUntil = Date.now() + p.readBackSeconds * 1000 * ctx.timeMultiplier;
      while (set.startsWith('LOADING') && Date.now() < loadingUntil) {
        await sleep(500 * ctx.timeMultiplier, ctx.signal);
        set = await redis(ctx, name, container, ['SET', key, value]);
      }
      evidence.set = set;
      if (set !== 'OK') return report({ status: 'fail', message: `redis-cli SET answered ${JSON.stringify(set)}, expected "OK"`, hint: 'redis-write-failed' });
      written = true;
      const save = await redis(ctx, name, container, ['SAVE']);
      evidence.save = save;
      if (save !== 'OK') return report({ status: 'fail', message: `redis-cli SAVE answered ${JSON.stringify(save)}, expected "OK"`, hint: 'redis-save-failed' });

      const sts = await ctx.cluster.readStatefulSet(ctx.namespace, p.statefulSet, ctx.signal);
      const readyBefore = sts?.status?.readyReplicas ?? 0;
      await ctx.cluster.deletePod(ctx.namespace, name, oldUid, ctx.signal);
      evidence.deleted = { uid: oldUid, graceful: true };

      let last: V1Pod | undefined;
      const timeoutMs = p.recreateSeconds * 1000 * ctx.timeMultiplier;
      let fresh: V1Pod | undefined;
      try {
        fresh = await ctx.cluster.waitForPod(ctx.namespace, name, (pod) => Boolean(pod && pod.metadata?.uid !== oldUid && isPodReady(pod)), {
          timeoutMs,
          signal: ctx.signal,
          onState: (pod) => {
            last = pod;
          },
        });
      } catch (err) {
        if (!(err instanceof DeadlineError)) throw err;
        const now = (await ctx.cluster.readPod(ctx.namespace, name, ctx.signal)) ?? last;
        evidence.after = podState(now);
        if (now && now.metadata?.uid !== oldUid) {
          const env = await environmentFault(ctx, now);
          if (env) return report(env);
          return report({
            status: 'fail',
            message: `the replacement pod ${name} (uid ${now.metadata?.uid}) was not Ready within ${Math.round(timeoutMs / 1000)} s`,
            hint: 'pod-not-recreated',
          });
        }
        // No replacement pod at all: the StatefulSet controller (the cluster) did not act.
        return report({
          status: 'error',
          message: `no replacement for pod ${name} appeared within ${Math.round(timeoutMs / 1000)} s of the delete (${now ? 'the old pod is still terminating' : 'the StatefulSet controller did not re-create it'})`,
          hint: 'pod-not-recreated',
        });
      }
      const newUid = fresh?.metadata?.uid ?? '';
      evidence.newUid = newUid;
      currentPod = name;

      // Let the StatefulSet's status catch up, so the workload is whole again before we read.
      const catchUpUntil = Date.now() + 30_000 * ctx.timeMultiplier;
      for (;;) {
        const s = await ctx.cluster.readStatefulSet(ctx.namespace, p.statefulSet, ctx.signal);
        const caught = Boolean(s) && (s?.status?.readyReplicas ?? 0) >= Math.min(readyBefore, s?.spec?.replicas ?? 1) && (s?.status?.observedGeneration ?? 0) >= (s?.metadata?.generation ?? 0);
        evidence.statefulSetCaughtUp = caught;
        if (caught || Date.now() >= catchUpUntil) break;
        await sleep(500 * ctx.timeMultiplier, ctx.signal);
      }

      const readUntil = Date.now() + p.readBackSeconds * 1000 * ctx.timeMultiplier;
      let got = '';
      for (;;) {
        try {
          got = await redis(ctx, name, container, ['GET', key]);
        } catch (err) {
          if (err instanceof RedisCliMissing) throw err;
          if (!(err instanceof ClusterError) || Date.now() >= readUntil) throw err;
          got = `(exec failed: ${err.message})`;
        }
        if (got === value || Date.now() >= readUntil) break;
        await sleep(500 * ctx.timeMultiplier, ctx.signal);
      }
      evidence.found = { value: got || '(nil)', newUid };
      const studentAfter = await redis(ctx, name, container, ['GET', p.studentKey]);
      evidence.studentKeyAfter = { key: p.studentKey, value: studentAfter };
      const studentNote = `; your ${p.studentKey}: ${studentAfter ? JSON.stringify(studentAfter) : '(not set)'}`;
      if (got !== value) {
        return report({
          status: 'fail',
          message: `after deleting ${name} (uid ${oldUid} -> ${newUid}) GET ${key} answered ${JSON.stringify(got || '(nil)')}, expected ${JSON.stringify(value)}: the data did not survive${studentNote}`,
          hint: 'data-lost',
        });
      }
      return report({
        status: 'pass',
        message: `a value written and saved before deleting ${name} was read back from the new pod (uid ${oldUid} -> ${newUid})${studentNote}`,
      });
    } catch (err) {
      if (err instanceof RedisCliMissing) {
        return report({ status: 'fail', message: `redis-cli cannot run in ${name}/${container}: ${err.message}`, hint: 'redis-cli-missing' });
      }
      throw err;
    } finally {
      if (written) {
        try {
          evidence.cleanup = await redis(ctx, currentPod, container, ['DEL', key]);
        } catch {
          evidence.cleanup = 'failed (the key may remain)';
        }
      }
    }
  },
};
