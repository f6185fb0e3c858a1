// The grader's public contract. apps/worker and the CLI depend on these shapes; change them
// additively. The grader knows nothing of HTTP, Postgres or the queue.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Message } from './messages.ts';
import type { Cluster, ClusterOptions } from './kube/cluster.ts';

/** Text in both languages the course uses. */
export interface Localized {
  zh: string;
  en: string;
}

/** A diagnosis for a failing check: a stable key plus its text in both languages. */
export interface Hint extends Localized {
  key: string;
}

/** pass/fail are the student's; error is the grader's or the cluster's (never counts against them). */
export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';

/** passed: every check passed; failed: some check failed; error: the run could not be judged. */
export type RunStatus = 'passed' | 'failed' | 'error';

/** One check's verdict. */
export interface CheckResult {
  id: string;
  title: Localized;
  status: CheckStatus;
  points: number;
  maxPoints: number;
  /** One line, in English, saying what was found (`messageText` rendered in English; kept for older readers). */
  message: string;
  /** What was found as a catalog message (messages.ts): key and parameters, rendered in the reader's language. */
  messageText?: Message;
  hint: Hint | null;
  /** The fields the check looked at: expected vs found. Never a Secret's data. */
  evidence: Record<string, unknown>;
  durationMs: number;
}

/** A whole run's verdict, the shape `kubegrade grade --format json` prints. */
export interface RunResult {
  lab: string;
  labVersion: string;
  namespace: string;
  score: number;
  maxScore: number;
  status: RunStatus;
  graderVersion: string;
  checks: CheckResult[];
}

/** Progress events, emitted as each check starts and ends (the web shows them live). */
export type GradeEvent =
  | { type: 'check-started'; checkId: string; at: Date }
  | { type: 'check-finished'; result: CheckResult; at: Date };

/** What `grade()` needs. */
export interface GradeOptions {
  /** A loaded, validated lab (see loadLab / loadLabById). */
  lab: Lab;
  namespace: string;
  kubeConfig: KubeConfig;
  /** false skips disruptive checks (the pod-delete check) with that reason. Default true. */
  disruptive?: boolean;
  /** Multiplies every deadline, for slow clusters. Default 1. */
  timeMultiplier?: number;
  /** Only these check ids (plus what they need); default all. */
  only?: string[];
  signal?: AbortSignal;
  onEvent?: (event: GradeEvent) => void;
  /** Deadline for the whole run in ms, before timeMultiplier. Default 600000. */
  runTimeoutMs?: number;
  /**
   * The run's cluster access; default a fresh per-run snapshot (`new Cluster`). The live lab passes
   * one that reads its watch caches.
   */
  cluster?: (opts: ClusterOptions) => Cluster;
  /**
   * false: evaluate each check once on the state as it is, never waiting for it to settle (the live
   * lab: the next change re-evaluates). Default true.
   */
  settle?: boolean;
}

/** A check as declared in a lab file. */
export interface LabCheck {
  id: string;
  uses: string;
  with: Record<string, unknown>;
  needs: string[];
  points: number;
  disruptive: boolean;
  title: Localized;
  /** Overrides the primitive's default deadline for this check (before timeMultiplier). */
  timeoutSeconds?: number;
}

/** A lab, as loaded from YAML and validated. */
export interface Lab {
  id: string;
  version: string;
  title: Localized;
  /** Parameter defaults; string values may contain {namespace}. */
  params: Record<string, unknown>;
  checks: LabCheck[];
  /** Where it was loaded from, for error messages. */
  source?: string;
}
