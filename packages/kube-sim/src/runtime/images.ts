// What a container image ships. Exec emulation must refuse commands a real image lacks (the
// official redis image has no nslookup), because graders are judged on how they handle that.

/** The families of images the runtime emulates. */
export type ImageKind = 'redis' | 'busybox' | 'alpine' | 'dnsutils' | 'debian';

/** The last path component of an image reference, without tag or digest. */
export function imageBaseName(image: string | undefined): string {
  if (!image) return '';
  const noDigest = image.split('@')[0] ?? '';
  const last = noDigest.split('/').pop() ?? '';
  return (last.split(':')[0] ?? '').toLowerCase();
}

/** Classify an image reference, e.g. `swr.cn-north-4.myhuaweicloud.com/ddn-k8s/docker.io/redis:7.4.4` -> redis. */
export function imageKind(image: string | undefined): ImageKind {
  const base = imageBaseName(image);
  if (base === 'redis') return 'redis';
  if (base === 'busybox') return 'busybox';
  if (base === 'alpine') return 'alpine';
  if (base === 'dnsutils' || base === 'jessie-dnsutils' || base === 'netshoot') return 'dnsutils';
  return 'debian';
}

const common = ['sh', 'cat', 'ls', 'hostname', 'echo', 'true', 'false', 'env'];
const executables: Record<ImageKind, ReadonlySet<string>> = {
  // Debian-slim based: glibc getent, bash, no DNS tools.
  redis: new Set([...common, 'bash', 'getent', 'redis-cli']),
  busybox: new Set([...common, 'nslookup']),
  // Alpine: busybox applets plus musl-utils' getent.
  alpine: new Set([...common, 'nslookup', 'getent']),
  dnsutils: new Set([...common, 'bash', 'getent', 'nslookup', 'dig']),
  debian: new Set([...common, 'bash', 'getent']),
};

/** Directories on $PATH in these images; `/usr/local/bin/redis-cli` and `redis-cli` are the same program. */
const pathDirs = new Set(['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin', '/usr/local/sbin']);

/** The program an argv[0] names in this image, or undefined when the image does not have it. */
export function resolveExecutable(kind: ImageKind, argv0: string): string | undefined {
  let name = argv0;
  if (argv0.includes('/')) {
    const i = argv0.lastIndexOf('/');
    const dir = argv0.slice(0, i) || '/';
    if (!pathDirs.has(dir)) return undefined;
    name = argv0.slice(i + 1);
  }
  return executables[kind].has(name) ? name : undefined;
}

/** The message runc gives (through containerd) when argv[0] cannot be executed. */
export function ociNotFoundMessage(argv0: string): string {
  const reason = argv0.includes('/')
    ? `exec: "${argv0}": stat ${argv0}: no such file or directory`
    : `exec: "${argv0}": executable file not found in $PATH`;
  return `OCI runtime exec failed: exec failed: unable to start container process: ${reason}: unknown`;
}
