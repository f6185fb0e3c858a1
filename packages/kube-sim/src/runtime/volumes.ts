// Where a pod's volume really lives on this machine. A PV's directory belongs to the PV (for NFS,
// to the export: same server+path = same directory, as two PVs on one NFS export share files), so
// data outlives the pod; emptyDir (or nothing mounted) lives and dies with one pod incarnation.
import path from 'node:path';
import type { ClusterView, KubeObject, VolumeBacking } from '../runtime-contract.ts';
import { podSpec, type Container } from './pod-spec.ts';

/** Make an arbitrary string safe as one path component. */
function component(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

/** A path inside root that cannot escape it (`..` segments are dropped). */
function within(root: string, rel: string): string {
  const parts = rel
    .split('/')
    .filter((p) => p !== '' && p !== '.' && p !== '..')
    .map(component);
  return path.join(root, ...parts);
}

/** The directory backing an NFS export. */
export function nfsDir(dataDir: string, server: string, exportPath: string): string {
  return within(path.join(dataDir, 'nfs', component(server)), exportPath);
}

/** The fresh per-incarnation directory for an ephemeral volume. */
export function ephemeralDir(dataDir: string, pod: KubeObject, volumeName: string): string {
  return path.join(
    dataDir,
    'pods',
    component(pod.metadata.namespace ?? 'default'),
    `${component(pod.metadata.name)}-${component(pod.metadata.uid)}`,
    component(volumeName),
  );
}

type PvSpec = { nfs?: { server?: string; path?: string }; hostPath?: { path?: string } };

/** Resolve what backs `mountPath` in `container` of `pod`. */
export function volumeBacking(
  view: ClusterView | undefined,
  dataDir: string,
  pod: KubeObject,
  container: Container,
  mountPath: string,
): VolumeBacking {
  const norm = (p: string) => p.replace(/\/+$/, '') || '/';
  const mount = (container.volumeMounts ?? []).find((m) => norm(m.mountPath) === norm(mountPath));
  if (!mount) return { kind: 'none' };
  const volume = (podSpec(pod).volumes ?? []).find((v) => v.name === mount.name);
  const sub = (dir: string) => (mount.subPath ? within(dir, mount.subPath) : dir);
  if (volume?.persistentVolumeClaim?.claimName && view) {
    const ns = pod.metadata.namespace ?? 'default';
    const pvc = view.get('persistentvolumeclaims', ns, volume.persistentVolumeClaim.claimName);
    const pvName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
    const pv = pvName ? view.get('persistentvolumes', undefined, pvName) : undefined;
    if (pv && pvName) {
      const spec = (pv.spec ?? {}) as PvSpec;
      if (spec.nfs?.server && spec.nfs.path)
        return { kind: 'pv', pvName, dir: sub(nfsDir(dataDir, spec.nfs.server, spec.nfs.path)) };
      if (spec.hostPath?.path)
        return { kind: 'pv', pvName, dir: sub(within(path.join(dataDir, 'hostpath'), spec.hostPath.path)) };
      return {
        kind: 'pv',
        pvName,
        dir: sub(path.join(dataDir, 'pv', `${component(pvName)}-${component(pv.metadata.uid)}`)),
      };
    }
  }
  if (volume?.nfs?.server && volume.nfs.path)
    return {
      kind: 'pv',
      pvName: `inline-nfs:${volume.name}`,
      dir: sub(nfsDir(dataDir, volume.nfs.server, volume.nfs.path)),
    };
  return { kind: 'ephemeral', dir: sub(ephemeralDir(dataDir, pod, mount.name)) };
}
