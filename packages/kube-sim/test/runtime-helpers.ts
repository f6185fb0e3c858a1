// A minimal in-memory ClusterView and pod builders for testing the runtime without the API server.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ClusterView, ExecIO, KubeObject } from '../src/runtime-contract.ts';
import { LAUNCHER_NAME } from '../src/runtime/launcher.ts';

/** An in-memory ClusterView tests fill by hand. */
export class MemoryView implements ClusterView {
  private readonly objects = new Map<string, KubeObject>();
  private key(resource: string, ns: string | undefined, name: string) {
    return `${resource}/${ns ?? ''}/${name}`;
  }
  put(resource: string, obj: KubeObject): KubeObject {
    this.objects.set(this.key(resource, obj.metadata.namespace, obj.metadata.name), obj);
    return obj;
  }
  get(resource: string, namespace: string | undefined, name: string) {
    return this.objects.get(this.key(resource, namespace, name));
  }
  list(resource: string, namespace?: string) {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${resource}/${namespace ?? ''}`))
      .map(([, v]) => v);
  }
}

let uid = 0;
/** A fresh uid. */
export function newUid(): string {
  uid += 1;
  return `00000000-0000-4000-8000-${String(uid).padStart(12, '0')}`;
}

/** A Running, Ready pod object as the core would hand it over. */
export function podObject(
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  ip: string,
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid: newUid(), labels },
    spec,
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** The chapter's Redis container with its readiness probe. */
export function redisContainer(volumeName?: string) {
  return {
    name: 'redis',
    image: 'swr.cn-north-4.myhuaweicloud.com/ddn-k8s/docker.io/redis:7.4.4',
    ports: [{ containerPort: 6379, name: 'redis' }],
    readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, timeoutSeconds: 3 },
    volumeMounts: volumeName ? [{ name: volumeName, mountPath: '/data' }] : [],
  };
}

/** Collect an exec's output. */
export function capture(): { io: ExecIO; out: () => string; err: () => string } {
  let o = '';
  let e = '';
  return {
    io: { stdout: (c) => void (o += c.toString()), stderr: (c) => void (e += c.toString()) },
    out: () => o,
    err: () => e,
  };
}

/** PIDs of live redis-servers whose working directory (Redis chdirs to --dir) is under `dir`. */
export function redisServersUnder(dir: string): number[] {
  return livePids(
    ({ pid, cmdline }) =>
      cmdline.includes('redis-server') && readlinkSync(`/proc/${pid}/cwd`).startsWith(dir),
  );
}

/** Pids of kube-sim's launcher processes (src/runtime/launcher.ts) that are alive, of `parent` if given. */
export function launchers(parent?: number): number[] {
  return livePids(
    ({ cmdline, ppid }) => cmdline.includes(LAUNCHER_NAME) && (parent === undefined || ppid === parent),
  );
}

/** Pids of running (not zombie) processes that `match` accepts. */
function livePids(match: (p: { pid: string; cmdline: string; ppid: number }) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "(comm) ": state, ppid, ...
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (match({ pid: entry, cmdline, ppid: Number(ppid) })) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
