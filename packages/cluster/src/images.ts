// The container images the real cluster runs. No registry can be reached from these machines, so
// the images are made here and imported into containerd's `k8s.io` namespace under every name the
// chapter and the labs use; pods then start with `imagePullPolicy: IfNotPresent`, and a pod naming
// any other image gets the real ErrImagePull / ImagePullBackOff.
//
//   pause    the static Go program in go/cmd/pause          registry.k8s.io/pause:3.10, kubegrade.local/pause:1
//   redis    Debian bookworm rootfs from debootstrap, with   docker.io/library/redis:{7.4.4,6.2,latest} and the
//            an entrypoint like the official image's         chapter's mirror swr.cn-north-4.myhuaweicloud.com/...
//   busybox  Debian's busybox-static with its applets        docker.io/library/busybox:{1.36,latest}
//
// Each image is an OCI layout built with umoci and written by skopeo as a docker-archive (the
// format `ctr images import` reads with ALL its names: an oci-archive carries only one), cached in
// `<cacheDir>/images/` under a hash of its recipe, so a warm `ensureImages` only stats files.
// The debootstrap run is cached separately (its own recipe hash), as are its downloaded .debs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goCommand } from './build.ts';
import { onPath, run } from './run.ts';

/** One image archive and every name it is imported under. */
export interface ImageArchive {
  file: string;
  names: string[];
}

export interface EnsureImagesOptions {
  /** Where archives, the debootstrap rootfs and downloaded .debs are kept (`<cacheDir>/images/`). */
  cacheDir: string;
  log?: (line: string) => void;
  /** A pause binary built already (e.g. by the cluster's build of go/cmd/...); built here when absent. */
  pauseBinary?: string;
}

export const PAUSE_NAMES = ['registry.k8s.io/pause:3.10', 'kubegrade.local/pause:1'];
export const REDIS_NAMES = [
  'docker.io/library/redis:7.4.4',
  'docker.io/library/redis:6.2',
  'docker.io/library/redis:7.2',
  'docker.io/library/redis:latest',
  'swr.cn-north-4.myhuaweicloud.com/ddn-k8s/docker.io/redis:7.4.4',
];
export const BUSYBOX_NAMES = ['docker.io/library/busybox:1.36', 'docker.io/library/busybox:latest'];

/** The Go module of the cluster's Kubernetes build and helper programs. */
export const GO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'go');

/**
 * How the helper programs in go/cmd (pause, nfs-provisioner, cri-clean) are built: run `command
 * args` in `cwd` with `env` added to the environment; the binaries land in `outDir` named after
 * their directories. Equivalent to
 *   cd packages/cluster/go && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o OUT/ ./cmd/...
 */
export function goHelperBuildArgs(
  outDir: string,
  packages: string[] = ['./cmd/...'],
): { cwd: string; command: string; args: string[]; env: Record<string, string> } {
  return {
    cwd: GO_DIR,
    command: goCommand() ?? '/usr/local/go/bin/go',
    args: [
      'build',
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      outDir.endsWith('/') ? outDir : `${outDir}/`,
      ...packages,
    ],
    env: { CGO_ENABLED: '0' },
  };
}

// The cache keys hash these recipes' data (names, config, packages, trim list, entrypoint, the
// pause binary). Function source is NOT hashed (tsx and vitest transpile it differently, which
// would make the CLI and the tests rebuild each other's images): when you change what a populate
// step or the debootstrap step does, bump ROOTFS_RECIPE (re-debootstraps) or IMAGE_RECIPE.
const ROOTFS_RECIPE = 'redis-rootfs-1';
const IMAGE_RECIPE = 'kubegrade-images-2';
const SUITE = 'bookworm';
const DEBOOTSTRAP_INCLUDE = ['redis-server', 'redis-tools', 'bash'];
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The official image creates its redis user and group as 999; Debian's package picks a system id.
const REDIS_UID = 999;

// Trimmed from the debootstrap rootfs: what Debian's -slim images leave out, apt's package lists
// and downloaded .debs, and the device nodes debootstrap made (the runtime mounts /dev itself).
const TRIM = [
  'usr/share/doc/*',
  'usr/share/man/*',
  'usr/share/info/*',
  'usr/share/locale/*',
  'usr/share/lintian/*',
  'usr/share/linda/*',
  'usr/share/groff/*',
  'var/lib/apt/lists/*',
  'var/cache/apt/*',
  'var/cache/debconf/*-old',
  'var/cache/ldconfig/*',
  'var/log/*',
  'var/lib/dpkg/*-old',
  'dev/*',
  'run/*',
  'tmp/*',
  'etc/machine-id',
  'etc/hostname',
  'etc/resolv.conf',
  'etc/apt/sources.list.d/*',
];

/** The official redis image's docker-entrypoint.sh, with util-linux's setpriv in place of gosu. */
export const REDIS_ENTRYPOINT = `#!/bin/sh
set -e

# first arg is \`-f\` or \`--some-option\`
# or first arg is \`something.conf\`
if [ "\${1#-}" != "$1" ] || [ "\${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# allow the container to be started with \`--user\`
if [ "$1" = 'redis-server' -a "$(id -u)" = '0' ]; then
	find . \\! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# set an appropriate umask (if one isn't set already)
um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

if [ "$1" = 'redis-server' ]; then
	doProtectedMode=1
	configFile=
	if [ -f "$2" ]; then
		configFile="$2"
		if grep -q '^protected-mode' "$configFile"; then
			# if a config file is supplied and explicitly specifies "protected-mode", let it win
			doProtectedMode=
		fi
	fi
	if [ "$doProtectedMode" ]; then
		shift # "redis-server"
		if [ "$configFile" ]; then
			shift
		fi
		set -- --protected-mode no "$@"
		if [ "$configFile" ]; then
			set -- "$configFile" "$@"
		fi
		set -- redis-server "$@" # redis-server [config file] --protected-mode no [other options]
		# if this is supplied again, the "latest" wins, so "--protected-mode no --protected-mode yes" will result in an enabled status
	fi
fi

exec "$@"
`;

const BUSYBOX_PASSWD =
  'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n';
const BUSYBOX_GROUP = 'root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nnogroup:x:65534:\n';
const HOSTS =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

interface ImageRecipe {
  key: string;
  names: string[];
  /** Fills the (empty) rootfs of the image. */
  populate: (rootfs: string) => Promise<void>;
  /** `umoci config` arguments. */
  config: string[];
  /** Everything else the image depends on (hashed into its cache key). */
  inputs: string[];
}

/**
 * Builds the pause, redis and busybox image archives, or finds them in the cache. A warm call only
 * checks that the archives exist. Needs root, debootstrap, umoci, skopeo, dpkg-deb and apt-get
 * (installed with apt-get when missing) and Go for the pause binary unless `pauseBinary` is given.
 */
export async function ensureImages(opts: EnsureImagesOptions): Promise<ImageArchive[]> {
  const log = opts.log ?? (() => {});
  const dir = join(opts.cacheDir, 'images');
  if (!opts.pauseBinary && !existsSync(pauseCachePath(dir))) await buildPause(dir, log);
  const pause = pauseInput(opts.pauseBinary, dir);
  const mirror = debianMirror();
  const rootfsKey = hash([ROOTFS_RECIPE, SUITE, mirror, DEBOOTSTRAP_INCLUDE.join(','), TRIM.join(' ')]);
  const recipes = imageRecipes(dir, { pause, rootfsKey, mirror, log });
  const planned = recipes.map((r) => ({
    recipe: r,
    archive: {
      file: join(
        dir,
        `${r.key}-${hash([IMAGE_RECIPE, r.key, r.names.join(','), r.config.join('\0'), ...r.inputs]).slice(0, 16)}.tar`,
      ),
      names: r.names,
    },
  }));
  if (planned.every((p) => existsSync(p.archive.file))) return planned.map((p) => p.archive);

  await mkdir(dir, { recursive: true });
  const unlock = await lock(join(dir, '.lock'), log);
  try {
    for (const { recipe, archive } of planned) {
      if (existsSync(archive.file)) continue;
      ensureTools(log);
      const started = Date.now();
      log(`images: building ${recipe.key} (${recipe.names.join(', ')})`);
      await buildArchive(dir, recipe, archive.file);
      log(
        `images: ${recipe.key} built in ${((Date.now() - started) / 1000).toFixed(1)} s, ${(statSync(archive.file).size / 1e6).toFixed(1)} MB`,
      );
      await removeStale(dir, recipe.key, archive.file);
    }
  } finally {
    await unlock();
  }
  return planned.map((p) => p.archive);
}

/**
 * Imports each archive into containerd (namespace `k8s.io` unless told otherwise) and makes sure it
 * is known under every one of its names (tagging the first name where an import left one out).
 */
export async function importImages(opts: {
  ctr: string;
  address: string;
  archives: ImageArchive[];
  namespace?: string;
}): Promise<void> {
  const base = ['--address', opts.address, '-n', opts.namespace ?? 'k8s.io'];
  for (const a of opts.archives) {
    await run(opts.ctr, [...base, 'images', 'import', '--all-platforms', a.file], { timeoutMs: 600_000 });
    const listed = new Set(
      (await run(opts.ctr, [...base, 'images', 'ls', '-q'])).split('\n').map((l) => l.trim()),
    );
    const [first] = a.names;
    if (first === undefined || !listed.has(first))
      throw new Error(`ctr images import ${a.file} did not create ${first ?? '(no name)'}`);
    for (const name of a.names.slice(1))
      if (!listed.has(name)) await run(opts.ctr, [...base, 'images', 'tag', '--force', first, name]);
  }
}

// ---------------------------------------------------------------------------------------------
// recipes

function imageRecipes(
  dir: string,
  ctx: { pause: { file: string; id: string }; rootfsKey: string; mirror: string; log: (l: string) => void },
): ImageRecipe[] {
  return [
    {
      key: 'pause',
      names: PAUSE_NAMES,
      inputs: [ctx.pause.id],
      config: ['--config.entrypoint', '/pause', '--config.user', '65535:65535', '--config.env', PATH_ENV],
      populate: async (rootfs) => {
        await cp(ctx.pause.file, join(rootfs, 'pause'));
        await chmod(join(rootfs, 'pause'), 0o755);
      },
    },
    {
      key: 'redis',
      names: REDIS_NAMES,
      inputs: [ctx.rootfsKey, REDIS_ENTRYPOINT, HOSTS, String(REDIS_UID)],
      config: [
        '--config.entrypoint',
        'docker-entrypoint.sh',
        '--config.cmd',
        'redis-server',
        '--config.workingdir',
        '/data',
        '--config.env',
        PATH_ENV,
        '--config.volume',
        '/data',
        '--config.exposedports',
        '6379/tcp',
      ],
      populate: async (rootfs) => {
        const base = join(dir, `redis-rootfs-${ctx.rootfsKey.slice(0, 16)}`);
        if (!existsSync(base)) await buildRedisRootfs(base, ctx.mirror, join(dir, 'debs'), ctx.log);
        await run('cp', ['-a', `${base}/.`, rootfs]);
        // the official image's redis user and group are 999:999
        const uid = idOf(join(rootfs, 'etc/passwd'), 'redis');
        const gid = idOf(join(rootfs, 'etc/group'), 'redis');
        await writeFile(
          join(rootfs, 'etc/passwd'),
          (await readFile(join(rootfs, 'etc/passwd'), 'utf8')).replace(
            /^redis:x:\d+:\d+:/m,
            `redis:x:${REDIS_UID}:${REDIS_UID}:`,
          ),
        );
        await writeFile(
          join(rootfs, 'etc/group'),
          (await readFile(join(rootfs, 'etc/group'), 'utf8')).replace(
            /^redis:x:\d+:/m,
            `redis:x:${REDIS_UID}:`,
          ),
        );
        await run('find', [
          rootfs,
          '-xdev',
          '-uid',
          String(uid),
          '-exec',
          'chown',
          '-h',
          String(REDIS_UID),
          '{}',
          '+',
        ]);
        await run('find', [
          rootfs,
          '-xdev',
          '-gid',
          String(gid),
          '-exec',
          'chgrp',
          '-h',
          String(REDIS_UID),
          '{}',
          '+',
        ]);
        await mkdir(join(rootfs, 'data'), { mode: 0o755 });
        await chown(join(rootfs, 'data'), REDIS_UID, REDIS_UID);
        await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
        await writeFile(join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), REDIS_ENTRYPOINT, {
          mode: 0o755,
        });
        await chmod(join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), 0o755);
        await writeFile(join(rootfs, 'etc/hosts'), HOSTS);
        await writeFile(join(rootfs, 'etc/hostname'), '');
        await writeFile(join(rootfs, 'etc/resolv.conf'), '');
        await writeFile(join(rootfs, 'etc/apt/sources.list'), `deb ${ctx.mirror} ${SUITE} main\n`);
        for (const tool of ['nslookup', 'dig', 'host']) {
          if (existsSync(join(rootfs, 'usr/bin', tool)) || existsSync(join(rootfs, 'bin', tool)))
            throw new Error(`the redis rootfs must not have ${tool}`);
        }
        for (const tool of [
          'usr/bin/bash',
          'usr/bin/getent',
          'usr/bin/setpriv',
          'usr/bin/redis-cli',
          'usr/bin/redis-server',
        ]) {
          if (!existsSync(join(rootfs, tool))) throw new Error(`the redis rootfs lacks /${tool}`);
        }
      },
    },
    {
      key: 'busybox',
      names: BUSYBOX_NAMES,
      inputs: [BUSYBOX_PASSWD, BUSYBOX_GROUP, HOSTS],
      config: ['--config.cmd', 'sh', '--config.env', PATH_ENV],
      populate: async (rootfs) => {
        const busybox = await busyboxStatic(dir, ctx.log);
        for (const d of ['bin', 'etc', 'home', 'root', 'tmp', 'usr/sbin', 'var/spool/mail', 'var/www'])
          await mkdir(join(rootfs, d), { recursive: true });
        await chmod(join(rootfs, 'tmp'), 0o1777);
        await chmod(join(rootfs, 'root'), 0o700);
        await cp(busybox, join(rootfs, 'bin/busybox'));
        await chmod(join(rootfs, 'bin/busybox'), 0o755);
        const applets = (await run(busybox, ['--list']))
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && l !== 'busybox' && !l.includes('/'));
        for (const a of applets) await symlink('busybox', join(rootfs, 'bin', a));
        await writeFile(join(rootfs, 'etc/passwd'), BUSYBOX_PASSWD);
        await writeFile(join(rootfs, 'etc/group'), BUSYBOX_GROUP);
        await writeFile(join(rootfs, 'etc/hosts'), HOSTS);
        for (const a of ['sh', 'nslookup', 'sleep', 'wget', 'nc'])
          if (!applets.includes(a)) throw new Error(`busybox-static lacks the ${a} applet`);
      },
    },
  ];
}

/** Debootstraps the redis rootfs into `target` (via a temporary sibling) and trims it. */
async function buildRedisRootfs(
  target: string,
  mirror: string,
  debs: string,
  log: (l: string) => void,
): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}`;
  await safeRemove(tmp);
  await mkdir(debs, { recursive: true });
  log(
    `images: debootstrap --variant=minbase --include=${DEBOOTSTRAP_INCLUDE.join(',')} ${SUITE} from ${mirror}`,
  );
  const started = Date.now();
  try {
    await run(
      'debootstrap',
      [
        '--variant=minbase',
        `--include=${DEBOOTSTRAP_INCLUDE.join(',')}`,
        `--cache-dir=${resolve(debs)}`,
        SUITE,
        tmp,
        mirror,
      ],
      { timeoutMs: 1_800_000 },
    );
  } catch (e) {
    await safeRemove(tmp).catch(() => {});
    throw e;
  } finally {
    await unmountUnder(tmp);
  }
  log(`images: debootstrap took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await unmountUnder(tmp);
  if (mountsUnder(tmp).length) throw new Error(`something is still mounted under ${tmp}`);
  await run('sh', ['-c', `cd "$1" && rm -rf -- ${TRIM.join(' ')}`, 'trim', tmp]);
  await safeRemove(target);
  await rename(tmp, target);
  // an older recipe's rootfs is not needed any more
  for (const f of readdirSync(dirname(target))) {
    const p = join(dirname(target), f);
    if (p !== target && /^redis-rootfs-[0-9a-f]{16}$/.test(f)) await safeRemove(p);
  }
}

/** Builds go/cmd/pause statically into the cache (keyed by its source). */
async function buildPause(dir: string, log: (l: string) => void): Promise<string> {
  const out = pauseCachePath(dir);
  if (existsSync(out)) return out;
  const tmpDir = join(dir, 'bin', `tmp-${process.pid}`);
  const b = goHelperBuildArgs(tmpDir, ['./cmd/pause']);
  log(`images: building the pause binary (cd ${b.cwd} && CGO_ENABLED=0 ${b.command} ${b.args.join(' ')})`);
  await mkdir(tmpDir, { recursive: true });
  try {
    await run(b.command, b.args, { cwd: b.cwd, env: { ...process.env, ...b.env }, timeoutMs: 600_000 });
    await rename(join(tmpDir, 'pause'), out);
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  return out;
}

// The pause image is keyed by the binary's content: the cluster passes the helper it built, the
// image test builds go/cmd/pause here (cached by its source); the same program gives the same key.
function pauseInput(pauseBinary: string | undefined, dir: string): { file: string; id: string } {
  const file = pauseBinary ?? pauseCachePath(dir);
  return { file, id: hash([readFileSync(file)]) };
}

const pauseCachePath = (dir: string) =>
  join(dir, 'bin', `pause-${hash([readFileSync(join(GO_DIR, 'cmd/pause/main.go'))]).slice(0, 16)}`);

/** Debian's static busybox, downloaded with `apt-get download` from the configured mirror once. */
async function busyboxStatic(dir: string, log: (l: string) => void): Promise<string> {
  const apt = join(dir, 'apt');
  await mkdir(apt, { recursive: true });
  let deb = readdirSync(apt).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
  if (!deb) {
    log('images: apt-get download busybox-static');
    try {
      await run('apt-get', ['download', 'busybox-static'], { cwd: apt, timeoutMs: 600_000 });
    } catch {
      await aptUpdate(log);
      await run('apt-get', ['download', 'busybox-static'], { cwd: apt, timeoutMs: 600_000 });
    }
    deb = readdirSync(apt).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download busybox-static left no .deb in ${apt}`);
  }
  const x = join(apt, 'busybox-static');
  await rm(x, { recursive: true, force: true });
  await run('dpkg-deb', ['-x', join(apt, deb), x]);
  return join(x, 'bin/busybox');
}

/** Builds one image: umoci init/new/unpack, populate the rootfs, repack, config; skopeo to a docker-archive. */
async function buildArchive(dir: string, recipe: ImageRecipe, file: string): Promise<void> {
  const work = join(dir, `work-${recipe.key}-${process.pid}`);
  await safeRemove(work);
  await mkdir(work, { recursive: true });
  const layout = join(work, 'oci');
  const bundle = join(work, 'bundle');
  const ref = `${layout}:${recipe.key}`;
  try {
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', ref]);
    await run('umoci', ['unpack', '--image', ref, bundle]);
    await recipe.populate(join(bundle, 'rootfs'));
    await run('umoci', ['repack', '--image', ref, bundle], { timeoutMs: 1_200_000 });
    await run('umoci', [
      'config',
      '--image',
      ref,
      '--history.created_by',
      `kubegrade ${IMAGE_RECIPE} ${recipe.key}`,
      ...recipe.config,
    ]);
    await run('umoci', ['gc', '--layout', layout]);
    const [first, ...rest] = recipe.names;
    const tmp = `${file}.tmp-${process.pid}`;
    await rm(tmp, { force: true });
    await run(
      'skopeo',
      [
        'copy',
        '--quiet',
        ...rest.flatMap((n) => ['--additional-tag', n]),
        `oci:${ref}`,
        `docker-archive:${tmp}:${first}`,
      ],
      { timeoutMs: 1_200_000 },
    );
    await rename(tmp, file);
  } finally {
    await safeRemove(work);
  }
}

/** Keeps the newest few archives of an image (other recipe hashes), so alternating recipes do not rebuild. */
async function removeStale(dir: string, key: string, keep: string): Promise<void> {
  const old = readdirSync(dir)
    .filter((f) => f.startsWith(`${key}-`) && /^[a-z]+-[0-9a-f]{16}\.tar$/.test(f) && join(dir, f) !== keep)
    .map((f) => ({ p: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { p } of old.slice(2)) await rm(p, { force: true });
}

// ---------------------------------------------------------------------------------------------
// host helpers

/** The Debian mirror apt uses on this machine (first `deb` source serving the bookworm suite). */
export function debianMirror(): string {
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort())
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join('/etc/apt/sources.list.d', f));
  }
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          stanza
            .match(new RegExp(`^${name}:\\s*(.*)$`, 'mi'))?.[1]
            ?.trim()
            .split(/\s+/) ?? [];
        if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
        const uri = field('URIs').find((u) => /^https?:\/\//.test(u));
        if (uri && field('Suites').includes(SUITE)) return uri.replace(/\/+$/, '');
      }
    } else {
      for (const line of text.split('\n')) {
        const m = line
          .replace(/#.*/, '')
          .trim()
          .match(/^deb\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)\s+(\S+)/);
        if (m && m[2] === SUITE) return m[1]!.replace(/\/+$/, '');
      }
    }
  }
  return 'http://deb.debian.org/debian';
}

let aptUpdated = false;
async function aptUpdate(log: (l: string) => void): Promise<void> {
  if (aptUpdated) return;
  log('images: apt-get update');
  await run('apt-get', ['update'], { timeoutMs: 900_000 });
  aptUpdated = true;
}

/** Installs the image-building tools with apt-get when one is missing. */
function ensureTools(log: (l: string) => void): void {
  const need: Record<string, string> = {
    debootstrap: 'debootstrap',
    umoci: 'umoci',
    skopeo: 'skopeo',
    'dpkg-deb': 'dpkg',
    find: 'findutils',
  };
  const missing = [
    ...new Set(
      Object.entries(need)
        .filter(([cmd]) => !onPath(cmd))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (!missing.length) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `building the cluster's images needs ${missing.join(', ')} (apt-get install -y ${missing.join(' ')}, as root)`,
    );
  log(`images: apt-get install -y ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 900_000 });
    if (r.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed: ${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  }
  aptUpdated = true;
}

function idOf(file: string, name: string): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const id = Number(line?.split(':')[2]);
  if (!Number.isInteger(id)) throw new Error(`no ${name} in ${file}`);
  return id;
}

function hash(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** Mount points at or below `dir` (deepest first). */
function mountsUnder(dir: string): string[] {
  const abs = resolve(dir);
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line
      .split(' ')[4]
      ?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp && (mp === abs || mp.startsWith(`${abs}/`))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

async function unmountUnder(dir: string): Promise<void> {
  for (const mp of mountsUnder(dir)) spawnSync('umount', ['-l', mp]);
}

/** rm -rf that never descends into something mounted below the directory. */
async function safeRemove(dir: string): Promise<void> {
  try {
    await lstat(dir);
  } catch {
    return;
  }
  await unmountUnder(dir);
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`refusing to remove ${dir}: ${left.join(', ')} still mounted`);
  await rm(dir, { recursive: true, force: true });
}

/** A lock directory holding the owner's pid; a dead owner's lock is taken over. */
async function lock(path: string, log: (l: string) => void): Promise<() => Promise<void>> {
  const started = Date.now();
  let said = false;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, 'pid'), String(process.pid));
      return async () => {
        await rm(path, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(await readFile(join(path, 'pid'), 'utf8').catch(() => ''));
    if (pid && !alive(pid)) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!pid && Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10_000) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!said) log(`images: waiting for another build (pid ${pid || '?'}) holding ${path}`);
    said = true;
    if (Date.now() - started > 3_600_000) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
