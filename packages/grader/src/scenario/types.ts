// Scenario shapes (used by test/scenarios and `kubegrade lab test`): plain data describing how one student namespace is built through the Kubernetes
// API (manifests to apply, deletes, patches, waits on a field, exec preparation) and what every
// check of the lab must answer for it. Nothing here refers to kube-sim: the same scenarios run on
// kube-sim (test/sim/*.test.ts) and on a real cluster.
/** A manifest as written by a person (no uid or resourceVersion needed). */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
};

/** The shipped labs. */
export type LabId = 'pv-claimref' | 'redis-exist-pvc' | 'redis-not-exist-pvc';

/** Names one object (namespace omitted for cluster-scoped kinds). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * One step, run in order; each waits for the previous to finish.
 * - apply: create each manifest, or JSON-merge-patch it when it already exists (in list order).
 * - delete: delete the object (default grace period; a missing object is fine).
 * - patch: JSON merge patch (`null` removes a field, as `kubectl patch --type merge`).
 * - wait: poll the object until the value at `path` equals `equals` (`present: true`: until
 *   `path` has any value, e.g. metadata.deletionTimestamp; `absent: true`: until the object is
 *   gone), under `timeoutSeconds` (default 120).
 *   `path` is a small JSONPath: `status.phase`, `spec.claimRef.uid`, `metadata.annotations.x`,
 *   `spec.containers[0].name`, `status.conditions[?(@.type=="Ready")].status` (braces and a
 *   leading dot, as kubectl writes it, are accepted).
 * - exec: run `command` in a container (no TTY, no stdin) until its trimmed stdout equals
 *   `expect` (retried under `timeoutSeconds`, default 60), e.g. redis-cli SET testkey.
 */
export type Step =
  | { apply: Manifest[] }
  | { delete: ObjectRef }
  | { patch: ObjectRef & { body: Record<string, unknown> } }
  | {
      wait: ObjectRef &
        ({ path: string; equals: string } | { path: string; present: true } | { absent: true }) & {
          timeoutSeconds?: number;
        };
    }
  | {
      exec: {
        namespace?: string;
        pod: string;
        container: string;
        command: string[];
        expect?: string;
        timeoutSeconds?: number;
      };
    };

/** Changes to the shipped lab for this scenario (as an instructor would edit the lab file). */
export interface LabEdit {
  /** Overrides of the lab's params. */
  params?: Record<string, unknown>;
  /** check id -> keys merged into that check's `with`. */
  checks?: Record<string, Record<string, unknown>>;
}

/** What each check must answer: check id -> "status" or "status hint-key" (hint only when not pass). */
export type Expectation = Record<string, string>;

/** One student namespace, how to build it, and the verdict of every check. */
export interface Scenario {
  lab: LabId;
  /** Unique across all labs, DNS-1123, at most 40 characters; stable between runs. */
  namespace: string;
  /** What the student did, in a few words. */
  title: string;
  /**
   * Waves run in increasing order (default 1): every scenario of a wave has finished all its
   * steps before any scenario of the next wave is applied. Waves below 1 free a PV for a moment
   * (claimRef cleared), which any other Pending claim of the cluster would take, as in a shared
   * course cluster; `a-shared-victim` relies on exactly one Pending claim (`a-shared-thief`'s).
   */
  wave?: number;
  steps: Step[];
  labEdit?: LabEdit;
  /** Grade options: disruptive (default true) and the checks to run (default all). */
  grade?: { disruptive?: boolean; only?: string[] };
  /** Number of Redis pods this scenario keeps running (0 for lab A; 1 otherwise), for budgeting a small node. */
  redisPods: number;
  /** Every check's verdict (the ones `grade.only` selects). */
  expect: Expectation;
  /**
   * Steps that let the namespace (and the cluster objects the scenario created) be deleted
   * afterwards, e.g. removing a finalizer that holds a pod, deleting a StorageClass.
   */
  cleanup?: Step[];
  /** Built or judged only with a kube-sim fault injection; `why` says which and why. */
  simOnly?: true;
  why?: string;
}
