// Every manifest kustomize renders is valid against the Kubernetes schemas, and the pods are
// hardened the way deploy/README.md promises.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { namespacesFromRoster, roleBindings, RosterFileError, toYaml } from '../src/rolebindings.ts';
import { DEPLOY_DIR, kustomize, parseYaml, type Obj } from './render.ts';
import { schemaErrors } from './schema.ts';

const base = () => kustomize(join(DEPLOY_DIR, 'base'));
const overlay = () => kustomize(join(DEPLOY_DIR, 'overlays/example'));
const REPO = join(DEPLOY_DIR, '..');

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  securityContext?: Record<string, unknown>;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown }[];
}
const podSpec = (d: Obj) => (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe('schemas', () => {
  it.each(['base', 'overlays/example', 'overlays/example-live-lab'])(
    'every object of %s is valid against the Kubernetes schemas',
    async (dir) => {
      const objects = kustomize(join(DEPLOY_DIR, dir));
      expect(objects.length).toBeGreaterThan(10);
      const errors = await Promise.all(
        objects.map(async (o) => ({ object: `${o.kind}/${o.metadata.name}`, errors: await schemaErrors(o) })),
      );
      expect(errors.filter((e) => e.errors.length > 0)).toEqual([]);
    },
  );

  it('the validator refuses a broken manifest (a container without a name, a bad quantity)', async () => {
    const [broken] = parseYaml(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
  selector: { matchLabels: { a: b } }
  template:
    spec:
      containers:
        - image: kubegrade
          resources: { limits: { memory: lots } }
`);
    const errors = (await schemaErrors(broken!)).join('\n');
    expect(errors).toMatch(/must have required property name/);
    expect(errors).toMatch(/resources\/limits\/memory/);
  });
});

describe('workloads', () => {
  const deployments = () => base().filter((o) => o.kind === 'Deployment');

  it('deploys api, worker and web, each with a Service', () => {
    const objects = base();
    expect(
      deployments()
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['kubegrade-api', 'kubegrade-web', 'kubegrade-worker']);
    expect(
      objects
        .filter((o) => o.kind === 'Service')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['kubegrade-api', 'kubegrade-web', 'kubegrade-worker']);
    expect(new Set(objects.filter((o) => o.metadata.namespace).map((o) => o.metadata.namespace))).toEqual(
      new Set(['kubegrade']),
    );
  });

  it('every container runs non-root, read-only, without privilege escalation or capabilities, under RuntimeDefault seccomp', () => {
    for (const d of deployments()) {
      const spec = podSpec(d);
      expect(spec.securityContext, d.metadata.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of spec.containers) {
        expect(c.securityContext, `${d.metadata.name}/${c.name}`).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        // A read-only root needs a writable /tmp, backed by an emptyDir.
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(
          spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir,
          `${d.metadata.name} /tmp`,
        ).toBeDefined();
      }
    }
  });

  it('every container has readiness and liveness probes and memory requests and limits', () => {
    for (const d of deployments()) {
      for (const c of podSpec(d).containers) {
        expect(c.readinessProbe?.httpGet?.path, d.metadata.name).toBeTruthy();
        expect(c.livenessProbe?.httpGet?.path, d.metadata.name).toBeTruthy();
        expect(
          c.resources?.requests?.memory && c.resources.requests.cpu && c.resources.limits?.memory,
          d.metadata.name,
        ).toBeTruthy();
      }
    }
    const probes = Object.fromEntries(
      deployments().map((d) => [d.metadata.name, podSpec(d).containers[0]!.readinessProbe?.httpGet?.path]),
    );
    expect(probes['kubegrade-api']).toBe('/readyz');
    expect(probes['kubegrade-worker']).toBe('/readyz');
  });

  it('probes web on /healthz, a route handler of apps/web (not a page that renders and may redirect)', () => {
    const web = podSpec(deployments().find((d) => d.metadata.name === 'kubegrade-web')!).containers[0]!;
    expect(web.readinessProbe?.httpGet?.path).toBe('/healthz');
    expect(web.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(existsSync(join(REPO, 'apps/web/src/app/healthz/route.ts'))).toBe(true);
  });

  it('runs the images docker-compose.yml builds from apps/<component>/Dockerfile, as those Dockerfiles run them', () => {
    const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as {
      name: string;
      services: Record<string, { image?: string; build?: { context?: string; dockerfile?: string } }>;
    };
    for (const component of ['api', 'worker', 'web']) {
      const c = podSpec(deployments().find((d) => d.metadata.name === `kubegrade-${component}`)!)
        .containers[0]!;
      // Compose names a built image <project>-<service> unless the service names one itself.
      const service = compose.services[component]!;
      expect(service.build?.dockerfile).toBe(`apps/${component}/Dockerfile`);
      expect(service.image ?? `${compose.name}-${component}`).toBe(`kubegrade-${component}`);
      expect(c.image, component).toBe(`kubegrade-${component}:0.1.0`);
      const dockerfile = readFileSync(
        join(REPO, service.build!.context ?? '.', service.build!.dockerfile!),
        'utf8',
      );
      const cmd = JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)![1]!) as string[];
      if (component === 'worker') {
        // The worker runs under scripts/start.ts for its probe endpoints: the image must hold it
        // (COPY . .) and the same tsx the Dockerfile's CMD uses.
        expect(c.command).toEqual(['node_modules/.bin/tsx', 'scripts/start.ts', '--only', 'worker']);
        expect(c.command![0]).toBe(cmd[0]);
        expect(dockerfile).toMatch(/^COPY \. \.$/m);
        expect(existsSync(join(REPO, 'scripts/start.ts'))).toBe(true);
      } else {
        // No override: the Dockerfile's own CMD runs.
        expect(c.command, component).toBeUndefined();
        expect(c.args, component).toBeUndefined();
        expect(cmd.join(' '), component).toMatch(
          component === 'api' ? /apps\/api\/src\/main\.ts$/ : /\/next start$/,
        );
      }
    }
    const images = overlay()
      .filter((o) => o.kind === 'Deployment')
      .map((d) => podSpec(d).containers[0]!.image);
    expect(images.sort()).toEqual(
      ['api', 'web', 'worker'].map((c) => `registry.example.edu/course/kubegrade-${c}:0.1.0`),
    );
  });

  it('only the worker holds a ServiceAccount token and Kubernetes permissions', () => {
    const objects = base();
    const mounts = Object.fromEntries(
      deployments().map((d) => [podSpec(d).serviceAccountName, podSpec(d).automountServiceAccountToken]),
    );
    expect(mounts).toEqual({ 'kubegrade-api': false, 'kubegrade-web': false, 'kubegrade-worker': true });
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(
      Object.fromEntries(
        accounts.map((a) => [
          a.metadata.name,
          (a as { automountServiceAccountToken?: boolean }).automountServiceAccountToken,
        ]),
      ),
    ).toEqual({
      'kubegrade-api': false,
      'kubegrade-web': false,
      'kubegrade-worker': true,
    });
    const subjects = [...objects, ...overlay()]
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .flatMap(
        (b) => (b as unknown as { subjects: { kind: string; name: string; namespace: string }[] }).subjects,
      );
    expect(new Set(subjects.map((s) => `${s.kind} ${s.namespace}/${s.name}`))).toEqual(
      new Set(['ServiceAccount kubegrade/kubegrade-worker']),
    );
  });

  it('denies all traffic by default and allows only named paths', () => {
    const policies = base().filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find(
      (p) =>
        (p as unknown as { spec: { podSelector: object; ingress?: unknown; egress?: unknown } }).spec
          .podSelector &&
        Object.keys((p as unknown as { spec: { podSelector: object } }).spec.podSelector).length === 0,
    );
    expect(deny, 'a default-deny policy selecting every pod').toBeDefined();
    expect((deny as unknown as { spec: Record<string, unknown> }).spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(policies.length).toBe(4);
  });

  it('ships a Secret template with placeholders only', () => {
    const secret = base().find((o) => o.kind === 'Secret')!;
    const data = (secret as unknown as { stringData: Record<string, string> }).stringData;
    expect(Object.keys(data).sort()).toEqual(['DATABASE_URL', 'SESSION_SECRET', 'WEBHOOK_ENCRYPTION_KEY']);
    for (const v of Object.values(data)) expect(v).toContain('CHANGE-ME');
  });
});

describe('RoleBindings from the roster', () => {
  const exampleDir = join(DEPLOY_DIR, 'overlays/example');

  it('the example overlay binds the grader in each roster namespace and is up to date with its roster', () => {
    const roster = readFileSync(join(exampleDir, 'roster.csv'), 'utf8');
    const namespaces = namespacesFromRoster(roster);
    expect(namespaces).toEqual(['hanmeimei', 'lilei', 'shiqi']);
    expect(readFileSync(join(exampleDir, 'rolebindings.yaml'), 'utf8')).toBe(
      toYaml(roleBindings(namespaces)),
    );
    const bindings = overlay().filter((o) => o.kind === 'RoleBinding');
    expect(
      bindings.map((b) => [
        b.metadata.namespace,
        (b as unknown as { roleRef: { kind: string; name: string } }).roleRef,
      ]),
    ).toEqual(
      namespaces.map((ns) => [
        ns,
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubegrade-grader-namespace' },
      ]),
    );
  });

  it('refuses a roster line whose namespace is not a valid name, saying which line', () => {
    const csv = 'email,name,student_id,namespace\na@x.edu,A,1,good-ns\nb@x.edu,B,2,Bad_NS\n';
    expect(() => namespacesFromRoster(csv)).toThrow(RosterFileError);
    expect(() => namespacesFromRoster(csv)).toThrow(/line 3: "Bad_NS" is not a valid namespace/);
  });

  it('refuses a roster without a namespace column', () => {
    expect(() => namespacesFromRoster('email,name\na@x.edu,A\n')).toThrow(/no "namespace" column/);
  });
});
