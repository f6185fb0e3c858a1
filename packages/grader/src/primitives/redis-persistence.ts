// Redis data survives a pod delete: write a fresh random value under a grader-owned key, SAVE,
// record the pod's uid, delete the pod gracefully (uid precondition, never forced: force skips
// Redis's save-on-shutdown), wait under a deadline for a Ready pod with a new uid, read the value
// back, remove the key, and report the student's own testkey. Judged by output: redis-cli exits 0
// even on error replies.
import { randomBytes } from 'node:crypto';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { z } from 'zod';
import { ClusterError, DeadlineError, StdinCloseUnsupported } from '../errors.ts';
import { isPodReady } from '../kube/util.ts';
import { poll } from '../poll.ts';
import {
  environmentFault,
  ownedBy,
  podProblem,
  podState,
  redisContainer,
  type PodProblem,
} from './common.ts';
import type { Judgement } from './define.ts';
import { msg } from '../messages.ts';
import { error, fail, pass, skipped, type Evidence } from './outcome.ts';
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

/** Clusters whose API server cannot close an exec's stdin (older than Kubernetes 1.30): one exec per command. */
const noStdinClose = new WeakSet<object>();

/** One argument as redis-cli splits a line it reads (sdssplitargs): plain, or double-quoted with escapes. */
export function redisCliWord(arg: string): string {
  if (/^[A-Za-z0-9:._-]+$/.test(arg)) return arg;
  let quoted = '"';
  for (const b of Buffer.from(arg, 'utf8')) {
    if (b === 0x22 || b === 0x5c) quoted += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) quoted += String.fromCharCode(b);
    else quoted += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${quoted}"`;
}

/**
 * What redis-cli prints for `commands`, in order: each reply in its raw form, ending in a newline
 * (an error reply in two). One exec with the commands on redis-cli's stdin; one exec per command
 * where the API server cannot close stdin. stderr stands in when nothing came on stdout (redis-cli
 * could not connect).
 */
async function redis(
  ctx: CheckContext,
  pod: string,
  container: string,
  commands: string[][],
): Promise<string> {
  const timeoutMs = 15_000 * Math.max(1, ctx.timeMultiplier);
  const run = async (command: string[], stdin?: string) => {
    const r = await ctx.cluster.exec(ctx.namespace, pod, container, command, timeoutMs, ctx.signal, stdin);
    if (r.kind === 'not-started') throw new RedisCliMissing(r.reason);
    return r;
  };
  const outputs: { stdout: string; stderr: string }[] = [];
  if (commands.length > 1 && !noStdinClose.has(ctx.cluster)) {
    try {
      outputs.push(
        await run(['redis-cli'], commands.map((c) => `${c.map(redisCliWord).join(' ')}\n`).join('')),
      );
    } catch (err) {
      if (!(err instanceof StdinCloseUnsupported)) throw err;
      noStdinClose.add(ctx.cluster);
    }
  }
  if (outputs.length === 0) for (const c of commands) outputs.push(await run(['redis-cli', ...c]));
  const stdout = outputs.map((o) => o.stdout).join('');
  return stdout.trim() ? stdout : outputs.map((o) => o.stderr).join('');
}

/** The first line of redis-cli's output: the first reply, or the error it printed. */
function firstReply(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

/** What redis-cli answered to SET probe, SAVE, GET studentKey. */
export function parseWrite(text: string): { set: string; save?: string; studentBefore?: string } {
  const ok = /^OK\nOK\n([\s\S]*)\n$/.exec(text);
  if (ok) return { set: 'OK', save: 'OK', studentBefore: ok[1] };
  const [set = '', save = ''] = text.split('\n');
  return set.trim() === 'OK' ? { set: 'OK', save: save.trim() } : { set: set.trim() };
}

/** What redis-cli answered to GET probe, DEL probe, GET studentKey (the last two unknown after an error reply). */
export function parseReadBack(text: string): { got: string; deleted?: string; studentAfter?: string } {
  const m = /^([^\n]*)\n(\d+)\n([\s\S]*)\n$/.exec(text);
  if (!m) return { got: firstReply(text) };
  return { got: m[1] ?? '', deleted: m[2], studentAfter: m[3] };
}

/** What redis-persistence looks at before it touches anything. */
export interface BeforeDeleteFacts {
  name: string;
  before: V1Pod | undefined;
  /** The StatefulSet, read only for a Ready pod (null: there is none). */
  owner?: V1StatefulSet | null;
}

/** Before anything is touched: skipped unless the pod is Ready, fail unless the StatefulSet controls it; undefined: go ahead. */
export function judgeBeforeDelete(
  { name, before, owner }: BeforeDeleteFacts,
  p: RedisPersistenceParams,
): Judgement<'owner'> | undefined {
  if (!before || !isPodReady(before))
    return skipped(msg('redis.no-ready-pod', { pod: name }), { pod: name, state: podState(before) });
  if (owner === undefined) return { need: 'owner' };
  if (owner && ownedBy(before, owner)) return undefined;
  const refs = (before.metadata?.ownerReferences ?? []).map((r) => ({
    kind: r.kind,
    name: r.name,
    uid: r.uid,
    controller: r.controller ?? false,
  }));
  return fail(
    owner
      ? msg('redis.not-owned', {
          pod: name,
          statefulSet: p.statefulSet,
          uid: String(owner.metadata?.uid),
          refs: JSON.stringify(refs),
        })
      : msg('redis.no-statefulset', { pod: name, statefulSet: p.statefulSet }),
    'pod-not-owned',
    {
      pod: name,
      ownerReferences: refs,
      statefulSet: owner ? { name: p.statefulSet, uid: owner.metadata?.uid } : null,
      deleted: false,
    },
  );
}

/** What Redis answered to the probe's SET and SAVE (SAVE's answer counts only after an OK). */
export function judgeWrite(set: string, save?: string): Outcome | undefined {
  if (set !== 'OK')
    return fail(msg('redis.set-failed', { answer: JSON.stringify(set) }), 'redis-write-failed');
  if (save !== undefined && save !== 'OK')
    return fail(msg('redis.save-failed', { answer: JSON.stringify(save) }), 'redis-save-failed');
  return undefined;
}

/** What was seen when no Ready replacement came within the budget. */
export interface NotRecreatedFacts {
  name: string;
  /** The deleted pod, as it was (its images). */
  before: V1Pod;
  /** The pod under that name now (a fresh read, else the last state the wait saw). */
  now: V1Pod | undefined;
  /** environmentFault() of the replacement (null: none). */
  fault: Outcome | null;
  container: string;
  timeoutMs: number;
}

/** Why no Ready replacement came: the environment's doing, the student's, or the controller's. */
export function judgeNotRecreated(f: NotRecreatedFacts): {
  outcome: Outcome;
  notReady?: PodProblem['cause'];
} {
  const { name, before, now, container, timeoutMs } = f;
  const seconds = Math.round(timeoutMs / 1000);
  if (now && now.metadata?.uid !== before.metadata?.uid) {
    if (f.fault) return { outcome: f.fault };
    const why = podProblem(now, container);
    // The replacement runs the spec that was Ready a moment ago: an image that cannot be
    // pulled (the same image) or a node without room is the environment's doing.
    const oldImages = (before.spec?.containers ?? []).map((c) => c.image);
    if (
      (why.cause === 'image-pull' && why.image !== undefined && oldImages.includes(why.image)) ||
      (why.cause === 'unschedulable' && why.nodeResources)
    ) {
      return {
        outcome: error(
          msg('redis.env-not-ready', {
            pod: name,
            uid: String(now.metadata?.uid),
            seconds,
            problem: why.message,
          }),
          'env-pod-not-ready',
        ),
        notReady: why.cause,
      };
    }
    // Same spec, Ready a moment ago, now not: the data it loads, its probe's timing or the
    // node may be why; the status does not say which, and the message admits it.
    const unclear = why.cause === 'readiness' || why.cause === 'starting' || why.cause === 'not-running';
    return {
      outcome: fail(
        msg('redis.not-recreated', {
          pod: name,
          uid: String(now.metadata?.uid),
          seconds,
          problem: why.message,
          unclear: unclear ? msg('redis.unclear') : '',
        }),
        'pod-not-recreated',
      ),
      notReady: why.cause,
    };
  }
  // No replacement pod at all: the StatefulSet controller (the cluster) did not act.
  return {
    outcome: error(
      msg('redis.no-replacement', {
        pod: name,
        seconds,
        why: now ? msg('redis.old-terminating') : msg('redis.controller-idle'),
      }),
      'pod-not-recreated',
    ),
  };
}

/** What was read back from the replacement pod. */
export interface ReadBackFacts {
  name: string;
  oldUid: string;
  newUid: string;
  key: string;
  value: string;
  got: string;
  studentKey: string;
  /** Undefined when redis-cli's answer could not be split (an error reply before it). */
  studentAfter?: string;
}

/** The verdict: the probe's value came back (the student's own key is reported, never judged). */
export function judgeReadBack(f: ReadBackFacts): Outcome {
  const student =
    f.studentAfter === undefined
      ? ''
      : msg('redis.student-key', {
          key: f.studentKey,
          value: f.studentAfter ? JSON.stringify(f.studentAfter) : msg('not-set'),
        });
  if (f.got !== f.value) {
    return fail(
      msg('redis.data-lost', {
        pod: f.name,
        oldUid: f.oldUid,
        newUid: f.newUid,
        key: f.key,
        got: JSON.stringify(f.got || '(nil)'),
        value: JSON.stringify(f.value),
        student,
      }),
      'data-lost',
    );
  }
  return pass(msg('redis.pass', { pod: f.name, oldUid: f.oldUid, newUid: f.newUid, student }));
}

/** The probe's key and value, grader-owned and fresh each run. */
interface Probe {
  key: string;
  value: string;
}

/**
 * Step: SET the probe, SAVE, and read the student's key, in one redis-cli (asked again while Redis
 * answers LOADING, as it does while it loads its dump). SAVE's answer counts only after an OK.
 */
async function writeProbe(
  ctx: CheckContext,
  p: RedisPersistenceParams,
  pod: string,
  container: string,
  probe: Probe,
  evidence: Evidence,
): Promise<Outcome | undefined> {
  // redis-cli ping (the readiness probe) succeeds while Redis is still LOADING its dump: wait it out briefly.
  const { value: written } = await poll(
    async () =>
      parseWrite(
        await redis(ctx, pod, container, [['SET', probe.key, probe.value], ['SAVE'], ['GET', p.studentKey]]),
      ),
    (w) => !w.set.startsWith('LOADING'),
    {
      withinMs: p.readBackSeconds * 1000 * ctx.timeMultiplier,
      everyMs: 500 * ctx.timeMultiplier,
      signal: ctx.signal,
      from: 'first-answer',
      pauses: 'whole',
    },
  );
  evidence.set = written.set;
  if (written.save !== undefined) evidence.save = written.save;
  if (written.studentBefore !== undefined)
    evidence.studentKeyBefore = { key: p.studentKey, value: written.studentBefore };
  return judgeWrite(written.set, written.save);
}

/** Step: wait for a Ready pod with a new uid; when none comes, what is there instead. */
async function awaitReplacement(
  ctx: CheckContext,
  p: RedisPersistenceParams,
  before: V1Pod,
  container: string,
  evidence: Evidence,
): Promise<{ fresh: V1Pod | undefined } | { problem: Outcome }> {
  const name = before.metadata?.name ?? '';
  const oldUid = before.metadata?.uid ?? '';
  let last: V1Pod | undefined;
  const timeoutMs = p.recreateSeconds * 1000 * ctx.timeMultiplier;
  try {
    const fresh = await ctx.cluster.waitForPod(
      ctx.namespace,
      name,
      (pod) => Boolean(pod && pod.metadata?.uid !== oldUid && isPodReady(pod)),
      {
        timeoutMs,
        signal: ctx.signal,
        onState: (pod) => {
          last = pod;
        },
      },
    );
    return { fresh };
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    const now = (await ctx.cluster.readPod(ctx.namespace, name, ctx.signal)) ?? last;
    evidence.after = podState(now);
    const fault = now && now.metadata?.uid !== oldUid ? await environmentFault(ctx, now) : undefined;
    const judged = judgeNotRecreated({ name, before, now, fault: fault ?? null, container, timeoutMs });
    if (judged.notReady) evidence.notReady = judged.notReady;
    return { problem: judged.outcome };
  }
}

/** Step: let the StatefulSet's status catch up, so the workload is whole again before the read. */
async function catchUp(ctx: CheckContext, p: RedisPersistenceParams, readyBefore: number): Promise<boolean> {
  const caughtUp = await poll(
    async () => {
      const s = await ctx.cluster.readStatefulSet(ctx.namespace, p.statefulSet, ctx.signal);
      return (
        Boolean(s) &&
        (s?.status?.readyReplicas ?? 0) >= Math.min(readyBefore, s?.spec?.replicas ?? 1) &&
        (s?.status?.observedGeneration ?? 0) >= (s?.metadata?.generation ?? 0)
      );
    },
    (caught) => caught,
    {
      withinMs: 30_000 * ctx.timeMultiplier,
      everyMs: 500 * ctx.timeMultiplier,
      signal: ctx.signal,
      pauses: 'whole',
    },
  );
  return caughtUp.value;
}

/**
 * Step: GET the probe from the new pod, DEL it and read the student's key, in one redis-cli, until
 * the probe answers its value (a failed exec is retried within the budget).
 */
async function readProbe(
  ctx: CheckContext,
  p: RedisPersistenceParams,
  pod: string,
  container: string,
  probe: Probe,
): Promise<ReturnType<typeof parseReadBack>> {
  const readUntil = Date.now() + p.readBackSeconds * 1000 * ctx.timeMultiplier;
  const { value } = await poll(
    async () => {
      try {
        return parseReadBack(
          await redis(ctx, pod, container, [
            ['GET', probe.key],
            ['DEL', probe.key],
            ['GET', p.studentKey],
          ]),
        );
      } catch (err) {
        if (err instanceof RedisCliMissing) throw err;
        if (!(err instanceof ClusterError) || Date.now() >= readUntil) throw err;
        return { got: `(exec failed: ${err.message})` };
      }
    },
    (r) => r.got === probe.value,
    {
      withinMs: readUntil - Date.now(),
      everyMs: 500 * ctx.timeMultiplier,
      signal: ctx.signal,
      pauses: 'whole',
    },
  );
  return value;
}

/** redis-persistence: a grader-written value survives a graceful delete of the pod. */
export const redisPersistence: Primitive<RedisPersistenceParams> = {
  name: 'redis-persistence',
  description:
    'A grader-owned random value written and SAVEd survives a graceful delete of the Redis pod (disruptive)',
  params,
  defaultTimeoutSeconds: 300,
  async run(ctx, p) {
    const name = `${p.statefulSet}-${p.ordinal}`;
    const facts: BeforeDeleteFacts = {
      name,
      before: await ctx.cluster.readPod(ctx.namespace, name, ctx.signal),
    };
    let verdict = judgeBeforeDelete(facts, p);
    if (verdict && 'need' in verdict) {
      // Prove ownership before deleting anything: only a pod the StatefulSet controls comes back.
      facts.owner = (await ctx.cluster.readStatefulSet(ctx.namespace, p.statefulSet, ctx.signal)) ?? null;
      verdict = judgeBeforeDelete(facts, p);
    }
    const { before, owner } = facts;
    if (verdict || !before || !owner) {
      if (verdict && !('need' in verdict)) return verdict;
      throw new Error('redis-persistence: judged before the pod and its StatefulSet were read');
    }
    const judged = redisContainer(before.spec, p.container);
    const container = judged.name ?? '';
    const oldUid = before.metadata?.uid ?? '';
    const probe: Probe = {
      key: `kubegrade:probe:${randomBytes(6).toString('hex')}`,
      value: randomBytes(12).toString('hex'),
    };
    const evidence: Evidence = {
      pod: name,
      container,
      containerReason: judged.reason,
      key: probe.key,
      expected: { value: probe.value, survivesDelete: true },
      oldUid,
    };
    // The same evidence object is returned, so the cleanup recorded in `finally` still shows.
    const report = (o: Outcome): Outcome => ({ ...o, evidence: Object.assign(evidence, o.evidence ?? {}) });

    try {
      const writeProblem = await writeProbe(ctx, p, name, container, probe, evidence);
      if (writeProblem) return report(writeProblem);

      const readyBefore = owner.status?.readyReplicas ?? 0;
      await ctx.cluster.deletePod(ctx.namespace, name, oldUid, ctx.signal);
      evidence.deleted = { uid: oldUid, graceful: true };
      const replaced = await awaitReplacement(ctx, p, before, container, evidence);
      if ('problem' in replaced) return report(replaced.problem);
      const newUid = replaced.fresh?.metadata?.uid ?? '';
      evidence.newUid = newUid;

      evidence.statefulSetCaughtUp = await catchUp(ctx, p, readyBefore);
      const { got, deleted, studentAfter } = await readProbe(ctx, p, name, container, probe);
      evidence.found = { value: got || '(nil)', newUid };
      if (deleted !== undefined) evidence.cleanup = deleted;
      if (studentAfter !== undefined) evidence.studentKeyAfter = { key: p.studentKey, value: studentAfter };
      return report(
        judgeReadBack({
          name,
          oldUid,
          newUid,
          key: probe.key,
          value: probe.value,
          got,
          studentKey: p.studentKey,
          studentAfter,
        }),
      );
    } catch (err) {
      if (err instanceof RedisCliMissing) {
        return report(
          fail(msg('redis.cli-missing', { pod: name, container, reason: err.message }), 'redis-cli-missing'),
        );
      }
      throw err;
    } finally {
      // Once the SET took, the probe's key is removed whatever happened next (the read-back removes it too).
      if (evidence.set === 'OK' && evidence.cleanup === undefined) {
        try {
          evidence.cleanup = firstReply(await redis(ctx, name, container, [['DEL', probe.key]]));
        } catch {
          evidence.cleanup = msg('redis.cleanup-failed');
        }
      }
    }
  },
};
