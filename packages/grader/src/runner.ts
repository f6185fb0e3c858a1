// The runner: checks in dependency order (disruptive ones last), each under its own deadline and the
// run's, cancellable, at most one run per namespace at a time in this process, with progress events.
// Any failure of the grader or the cluster becomes a check with status `error`, never a crash.
import { ClusterError } from './errors.ts';
import { hint as hintFor, isHintKey } from './hints.ts';
import { msg, renderMessage, statusWord, type Message } from './messages.ts';
import { Cluster } from './kube/cluster.ts';
import { resolveCheckParams } from './lab/load.ts';
import { TemplateError } from './lab/template.ts';
import './primitives/index.ts';
import { error, skipped } from './primitives/outcome.ts';
import { getPrimitive, type CheckContext, type Outcome } from './primitives/registry.ts';
import type {
  CheckResult,
  GradeEvent,
  GradeOptions,
  Hint,
  Lab,
  LabCheck,
  RunResult,
  RunStatus,
} from './types.ts';
import { GRADER_VERSION } from './version.ts';
import { capOutcome } from './truncate.ts';

const DEFAULT_RUN_TIMEOUT_MS = 600_000;

const locks = new Map<string, Promise<unknown>>();

/** Serialises runs per namespace within this process. */
async function withNamespaceLock<T>(
  namespace: string,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const previous = locks.get(namespace) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = previous.then(() => mine);
  locks.set(namespace, chained);
  try {
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted)
        return reject(
          new ClusterError(
            'cancelled',
            'the run was cancelled while waiting for another run in this namespace',
          ),
        );
      const onAbort = () =>
        reject(
          new ClusterError(
            'cancelled',
            'the run was cancelled while waiting for another run in this namespace',
          ),
        );
      signal?.addEventListener('abort', onAbort, { once: true });
      previous.then(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      );
    });
    return await fn();
  } finally {
    release();
    if (locks.get(namespace) === chained) locks.delete(namespace);
  }
}

/** The checks to run, in order: `only` plus what they need; needs before dependents; disruptive last. */
export function planChecks(lab: Lab, only?: readonly string[]): LabCheck[] {
  const byId = new Map(lab.checks.map((c) => [c.id, c]));
  let wanted = new Set(lab.checks.map((c) => c.id));
  if (only && only.length > 0) {
    const unknown = only.filter((id) => !byId.has(id));
    if (unknown.length > 0)
      throw new Error(
        `unknown check id(s) ${unknown.join(', ')} in lab ${lab.id} (known: ${[...byId.keys()].join(', ')})`,
      );
    wanted = new Set();
    const add = (id: string) => {
      if (wanted.has(id)) return;
      wanted.add(id);
      for (const n of byId.get(id)?.needs ?? []) add(n);
    };
    only.forEach(add);
  }
  const ordered: LabCheck[] = [];
  const placed = new Set<string>();
  const place = (c: LabCheck) => {
    if (placed.has(c.id)) return;
    placed.add(c.id);
    for (const n of c.needs) {
      const dep = byId.get(n);
      if (dep) place(dep);
    }
    ordered.push(c);
  };
  const selected = lab.checks.filter((c) => wanted.has(c.id));
  // Disruptive checks go last so the others see the workload undisturbed; needs still come first.
  for (const c of selected.filter((c) => !c.disruptive)) place(c);
  for (const c of selected.filter((c) => c.disruptive)) place(c);
  return ordered;
}

/** The run's status: error if any check errored, else failed if any failed or was skipped, else passed. */
export function runStatus(checks: readonly CheckResult[]): RunStatus {
  if (checks.some((c) => c.status === 'error')) return 'error';
  if (checks.some((c) => c.status === 'fail' || c.status === 'skipped')) return 'failed';
  return 'passed';
}

function toHint(h: Outcome['hint']): Hint | null {
  if (!h) return null;
  if (typeof h === 'string') return isHintKey(h) ? hintFor(h) : null;
  return h;
}

function errorMessage(err: unknown): Message {
  if (err instanceof ClusterError)
    return msg('cluster.error', { kind: msg(`cluster.kind.${err.kind}`), detail: err.message });
  return msg('run.grader-failed', { detail: err instanceof Error ? err.message : String(err) });
}

/** A primitive's message as a catalog message (plain text from outside the catalog passes through). */
function asMessage(m: Outcome['message']): Message {
  return typeof m === 'string' ? msg('text', { text: m }) : m;
}

/** Grades one lab in one namespace. Never throws for cluster trouble: those checks are `error`. */
export async function grade(opts: GradeOptions): Promise<RunResult> {
  const { lab, namespace } = opts;
  const mult = opts.timeMultiplier && opts.timeMultiplier > 0 ? opts.timeMultiplier : 1;
  const disruptive = opts.disruptive ?? true;
  const plan = planChecks(lab, opts.only);
  const emit = (e: GradeEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // A listener's failure must not break grading.
    }
  };

  const checks: CheckResult[] = [];
  const finish = (): RunResult => ({
    lab: lab.id,
    labVersion: lab.version,
    namespace,
    score: checks.reduce((s, c) => s + c.points, 0),
    maxScore: lab.checks.filter((c) => plan.includes(c)).reduce((s, c) => s + c.points, 0),
    status: runStatus(checks),
    graderVersion: GRADER_VERSION,
    checks,
  });

  const runController = new AbortController();
  const runTimeoutMs = (opts.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS) * mult;
  // An explicit timer on a controller held here, not AbortSignal.timeout(): AbortSignal.any holds
  // its sources weakly, and a collected timeout signal never fires (seen under load: a run
  // outlived its deadline).
  const deadlineController = new AbortController();
  const runTimer = setTimeout(() => deadlineController.abort(), runTimeoutMs);
  const runSignal = AbortSignal.any([
    runController.signal,
    deadlineController.signal,
    ...(opts.signal ? [opts.signal] : []),
  ]);

  const record = (check: LabCheck, started: number, o: Outcome): CheckResult => {
    // The one final pass over what a primitive returned: strings from the cluster are capped here.
    const text = asMessage(o.message);
    const r: CheckResult = capOutcome({
      id: check.id,
      title: check.title,
      status: o.status,
      points: o.status === 'pass' ? check.points : 0,
      maxPoints: check.points,
      message: renderMessage(text, 'en'),
      messageText: text,
      hint: toHint(o.hint),
      evidence: o.evidence ?? {},
      durationMs: Date.now() - started,
    });
    checks.push(r);
    emit({ type: 'check-finished', result: r, at: new Date() });
    return r;
  };

  try {
    await withNamespaceLock(namespace, runSignal, async () => {
      // Hard timeouts of single requests guard against hangs: a multiplier below 1 shortens waits, not these.
      const clusterOptions = { signal: runSignal, requestTimeoutMs: 15_000 * Math.max(1, mult) };
      const cluster = opts.cluster
        ? opts.cluster(clusterOptions)
        : new Cluster(opts.kubeConfig, clusterOptions);
      // Waits scale with the multiplier; without settling there are none (0 keeps one evaluation).
      const waitMult = opts.settle === false ? 0 : mult;
      const results = new Map<string, CheckResult>();
      for (const check of plan) {
        const started = Date.now();
        emit({ type: 'check-started', checkId: check.id, at: new Date() });
        const outcome = await runOne(check, {
          lab,
          namespace,
          cluster,
          results,
          runSignal,
          mult,
          waitMult,
          disruptive,
          runTimeoutMs,
          cancelled: opts.signal,
        });
        results.set(check.id, record(check, started, outcome));
      }
    });
  } catch (err) {
    // Only the lock wait can throw here (cancelled before starting): report every check as error.
    for (const check of plan) {
      if (checks.some((c) => c.id === check.id)) continue;
      const started = Date.now();
      emit({ type: 'check-started', checkId: check.id, at: new Date() });
      record(check, started, error(errorMessage(err)));
    }
  } finally {
    clearTimeout(runTimer);
    runController.abort();
  }
  return finish();
}

interface RunOneEnv {
  lab: Lab;
  namespace: string;
  cluster: Cluster;
  results: Map<string, CheckResult>;
  runSignal: AbortSignal;
  mult: number;
  /** The multiplier primitives get for their waits (0: no settling). */
  waitMult: number;
  disruptive: boolean;
  runTimeoutMs: number;
  cancelled?: AbortSignal;
}

async function runOne(check: LabCheck, env: RunOneEnv): Promise<Outcome> {
  if (env.cancelled?.aborted) return error(msg('run.cancelled-before'));
  if (env.runSignal.aborted)
    return error(msg('run.deadline-before', { seconds: Math.round(env.runTimeoutMs / 1000) }));
  const unmet = check.needs
    .map((n) => env.results.get(n))
    .filter((r): r is CheckResult => r !== undefined && r.status !== 'pass');
  if (unmet.length > 0) {
    return skipped(
      msg('run.needs', {
        unmet: unmet.map((r) => msg('run.need', { id: r.id, status: statusWord(r.status) })),
      }),
      {
        needs: check.needs,
        unmet: unmet.map((r) => ({ id: r.id, status: r.status })),
      },
    );
  }
  if (check.disruptive && !env.disruptive) {
    return skipped(msg('run.disruptive-off'), { disruptive: true });
  }
  const primitive = getPrimitive(check.uses);
  if (!primitive) return error(msg('run.no-primitive', { uses: check.uses }));
  let params: unknown;
  try {
    const raw = resolveCheckParams(env.lab, check, env.namespace);
    const parsed = primitive.params.safeParse(raw);
    if (!parsed.success) {
      return error(
        msg('run.invalid-params', {
          lab: env.lab.id,
          check: check.id,
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        }),
      );
    }
    params = parsed.data;
  } catch (err) {
    if (err instanceof TemplateError)
      return error(msg('run.template-error', { lab: env.lab.id, path: err.path, error: err.message }));
    throw err;
  }

  const timeoutMs = (check.timeoutSeconds ?? primitive.defaultTimeoutSeconds) * 1000 * env.mult;
  const checkController = new AbortController();
  const timer = setTimeout(() => checkController.abort(), timeoutMs);
  const signal = AbortSignal.any([checkController.signal, env.runSignal]);
  const ctx: CheckContext = {
    namespace: env.namespace,
    cluster: env.cluster,
    signal,
    timeMultiplier: env.waitMult,
    check,
  };
  try {
    // The primitive is raced against its deadline so a hung primitive cannot stall the run.
    const deadline = new Promise<Outcome>((resolve) => {
      const onAbort = () => {
        let message: Message;
        if (env.cancelled?.aborted) message = msg('run.cancelled');
        else if (checkController.signal.aborted)
          message = msg('run.check-deadline', { seconds: Math.round(timeoutMs / 1000) });
        else message = msg('run.run-deadline', { seconds: Math.round(env.runTimeoutMs / 1000) });
        resolve(error(message));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const outcome = await Promise.race([primitive.run(ctx, params), deadline]);
    return outcome;
  } catch (err) {
    if (signal.aborted) {
      if (env.cancelled?.aborted) return error(msg('run.cancelled'));
      const deadline = checkController.signal.aborted
        ? msg('run.check-deadline', { seconds: Math.round(timeoutMs / 1000) })
        : msg('run.run-deadline-passed');
      return error(msg('run.deadline-with-error', { deadline, error: errorMessage(err) }));
    }
    return error(
      errorMessage(err),
      undefined,
      err instanceof ClusterError
        ? { errorKind: err.kind, ...(err.statusCode ? { statusCode: err.statusCode } : {}) }
        : {},
    );
  } finally {
    clearTimeout(timer);
    checkController.abort();
  }
}
