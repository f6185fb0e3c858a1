// docker-compose.yml and the apps' Dockerfiles, checked without a Docker engine: every build,
// file, dependency and environment variable they name must exist in the repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../src/embedded.ts';

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
  volumes?: (string | { source?: string; type?: string })[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as Compose;
const services = Object.entries(compose.services);
const built = services.filter(([, s]) => s.build !== undefined);

/** Variables read by Node, Next.js or the image itself rather than by our code. */
const RUNTIME_VARS = new Set(['NODE_ENV', 'PORT', 'HOSTNAME', 'NEXT_TELEMETRY_DISABLED']);

function buildOf(s: Service): { context: string; dockerfile: string } {
  const b = typeof s.build === 'string' ? { context: s.build } : (s.build ?? {});
  const context = resolve(repoRoot, b.context ?? '.');
  return { context, dockerfile: resolve(context, b.dockerfile ?? 'Dockerfile') };
}

function envKeys(s: Service): string[] {
  if (!s.environment) return [];
  if (Array.isArray(s.environment)) return s.environment.map((e) => e.split('=')[0]!);
  return Object.keys(s.environment);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'generated' || entry === '.next') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(full);
  }
  return out;
}

/** Workspace directories from the root package.json's "workspaces" globs (only dir/* and dir). */
function workspaceDirs(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return pkg.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(repoRoot, w.slice(0, -2)))
          .map((d) => `${w.slice(0, -2)}/${d}`)
          .filter((d) => existsSync(join(repoRoot, d, 'package.json')))
      : [w],
  );
}

/** The COPY instructions of a Dockerfile that copy from the build context. */
function contextCopies(dockerfile: string): string[] {
  const sources: string[] = [];
  for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
    const m = /^\s*COPY\s+(.*)$/i.exec(line);
    if (!m || /--from=/.test(m[1]!)) continue;
    const parts = m[1]!.split(/\s+/).filter((p) => !p.startsWith('--'));
    sources.push(...parts.slice(0, -1));
  }
  return sources;
}

describe('docker-compose.yml', () => {
  it('has postgres, api, worker and web', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'web', 'worker']);
  });

  it.each(services)('%s has an image or a build whose context and Dockerfile exist', (_name, s) => {
    expect(s.image !== undefined || s.build !== undefined).toBe(true);
    if (s.build === undefined) return;
    const { context, dockerfile } = buildOf(s);
    expect(existsSync(context), `build context ${context}`).toBe(true);
    expect(existsSync(dockerfile), `Dockerfile ${dockerfile}`).toBe(true);
  });

  it.each(services)('%s depends only on defined services, healthy ones with a healthcheck', (_name, s) => {
    const deps = Array.isArray(s.depends_on)
      ? s.depends_on.map((d) => [d, {}] as const)
      : Object.entries(s.depends_on ?? {});
    for (const [dep, opts] of deps) {
      expect(compose.services[dep], `depends_on ${dep}`).toBeDefined();
      if ((opts as { condition?: string }).condition === 'service_healthy') {
        expect(compose.services[dep]!.healthcheck?.test, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
  });

  it('declares every named volume it mounts', () => {
    for (const [, s] of services) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');
        if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source))
          expect(compose.volumes?.[source], `volume ${source}`).not.toBeUndefined();
      }
    }
  });

  it('keeps postgres data in a volume and checks its health', () => {
    const pg = compose.services.postgres!;
    expect(pg.volumes?.some((v) => typeof v === 'string' && v.endsWith(':/var/lib/postgresql/data'))).toBe(
      true,
    );
    expect(JSON.stringify(pg.healthcheck?.test)).toContain('pg_isready');
  });

  it.each(built)('%s sets only environment variables its code reads', (name, s) => {
    const app = join(repoRoot, 'apps', name);
    // An app reads its own source and that of the workspace packages it runs (db, grader, ...).
    const files = [
      ...sourceFiles(join(app, 'src')),
      ...readdirSync(join(repoRoot, 'packages')).flatMap((p) =>
        sourceFiles(join(repoRoot, 'packages', p, 'src')),
      ),
    ];
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const unread = envKeys(s).filter((k) => !RUNTIME_VARS.has(k) && !new RegExp(`\\b${k}\\b`).test(text));
    expect(unread, `variables no code under ${relative(repoRoot, app)}/src or packages/*/src reads`).toEqual(
      [],
    );
  });

  it('passes the api the secrets it needs in production', () => {
    const keys = envKeys(compose.services.api!);
    for (const k of ['DATABASE_URL', 'SESSION_SECRET', 'WEBHOOK_ENCRYPTION_KEY', 'PUBLIC_URL'])
      expect(keys).toContain(k);
    expect(envKeys(compose.services.worker!)).toEqual(expect.arrayContaining(['DATABASE_URL', 'KUBECONFIG']));
    expect(envKeys(compose.services.web!)).toContain('API_URL');
  });
});

describe("the apps' Dockerfiles", () => {
  const dockerfiles = built.map(([name, s]) => [name, buildOf(s)] as const);

  it.each(dockerfiles)('%s is multi-stage on a current Node LTS', (_name, { dockerfile }) => {
    const froms = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms.filter((f) => f.startsWith('node:'))) {
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect(major >= 22 && major % 2 === 0, `${image} is not an LTS line >= 22`).toBe(true);
    }
  });

  it.each(dockerfiles)('%s starts a program that exists', (name, { dockerfile }) => {
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(dockerfile, 'utf8'));
    expect(cmd, 'an exec-form CMD').not.toBeNull();
    const args = JSON.parse(cmd![1]!) as string[];
    if (args.some((a) => a.endsWith('/next'))) {
      // `next start` serves the build of the app the last WORKDIR points at.
      expect(args).toContain('start');
      expect(
        JSON.parse(readFileSync(join(repoRoot, 'apps', name, 'package.json'), 'utf8')).dependencies.next,
      ).toBeDefined();
    } else {
      const entry = args.find((a) => /\.(ts|js|mjs)$/.test(a));
      expect(entry, `the CMD's script in ${args.join(' ')}`).toBeDefined();
      expect(existsSync(join(repoRoot, entry!)), `${entry} exists`).toBe(true);
    }
  });

  it.each(dockerfiles)(
    '%s copies only paths that exist, and every workspace manifest npm ci needs',
    (_name, { context, dockerfile }) => {
      const sources = contextCopies(dockerfile);
      for (const src of sources) expect(existsSync(resolve(context, src)), `COPY ${src}`).toBe(true);
      for (const ws of workspaceDirs())
        expect(sources, `${relative(repoRoot, dockerfile)} must COPY ${ws}/package.json`).toContain(
          `${ws}/package.json`,
        );
      expect(sources).toContain('package-lock.json');
    },
  );
});
