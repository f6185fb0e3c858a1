// The seam between kube-sim's API server/controllers (the "core") and what runs inside pods
// (the "runtime": exec, real redis-server processes, cluster DNS, /etc/hosts). The core owns
// objects and their lifecycle; the runtime owns processes and what a command inside a container
// sees. Neither reaches into the other's internals.

/** A plain Kubernetes object as stored by the core (JSON, as the API returns it). */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

/** Read access to cluster state the runtime needs (DNS answers, volume sources). */
export interface ClusterView {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

/** Where a pod's volume mounted at a path really lives on this machine. */
export type VolumeBacking =
  { kind: 'pv'; pvName: string; dir: string } | { kind: 'ephemeral'; dir: string } | { kind: 'none' };

/** Streams of one exec session. */
export interface ExecIO {
  stdout(chunk: Buffer | string): void;
  stderr(chunk: Buffer | string): void;
  stdin?: NodeJS.ReadableStream;
}

/**
 * Outcome of an exec. exitCode 0 = Success; otherwise the error channel carries a Failure Status
 * with reason NonZeroExitCode and an ExitCode cause. startError is the container runtime refusing
 * to start the command (the OCI "executable file not found" text): the client then gets an
 * InternalError Status, as from containerd, and exitCode (126/127) stays internal.
 */
export interface ExecOutcome {
  exitCode: number;
  startError?: string;
}

/** What the core calls as pods come and go. */
export interface PodRuntime {
  /** The pod was scheduled and its volumes are bound: start its containers. */
  start(pod: KubeObject): Promise<void>;
  /** Readiness as the pod's readiness probe would decide it right now. */
  probeReady(pod: KubeObject): Promise<boolean>;
  /** The pod is being deleted: stop its containers gracefully (SIGTERM, then SIGKILL after the grace period). */
  stop(pod: KubeObject, gracePeriodSeconds: number): Promise<void>;
  /** Run a command in a container of a Running pod. */
  exec(
    pod: KubeObject,
    container: string,
    command: string[],
    io: ExecIO,
    signal?: AbortSignal,
  ): Promise<ExecOutcome>;
  /** Stop every process (kube-sim is stopping). */
  close(): Promise<void>;
}
