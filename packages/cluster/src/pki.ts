// The cluster's certificates, made with openssl for each `up`: one CA, the apiserver's serving
// certificate, a client certificate per component (the identities RBAC and the Node authorizer
// expect), the kubelet's serving certificate and the service-account signing key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.ts';

/** A certificate and its key on disk. */
export interface CertPair {
  cert: string;
  key: string;
}

/** Every file of the cluster's PKI. */
export interface Pki {
  dir: string;
  ca: CertPair;
  apiserver: CertPair;
  apiserverKubeletClient: CertPair;
  kubeletServing: CertPair;
  serviceAccountKey: string;
  serviceAccountPub: string;
  clients: Record<ClientName, CertPair>;
}

/** The client identities: Kubernetes reads the user from CN and the groups from O. */
export const CLIENTS = {
  admin: { cn: 'kubegrade-admin', o: 'system:masters' },
  kubelet: { cn: 'system:node:NODE', o: 'system:nodes' },
  controllerManager: { cn: 'system:kube-controller-manager', o: '' },
  scheduler: { cn: 'system:kube-scheduler', o: '' },
  coredns: { cn: 'kubegrade-coredns', o: '' },
  provisioner: { cn: 'kubegrade-nfs-provisioner', o: '' },
} as const;
export type ClientName = keyof typeof CLIENTS;

async function sign(
  dir: string,
  name: string,
  subject: string,
  ext: string,
  ca: CertPair,
): Promise<CertPair> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await run('openssl', [
    'req',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '30',
    '-sha256',
    '-extfile',
    extFile,
  ]);
  return { cert, key };
}

/** Creates the PKI under `dir` for a node named `node` with IP `nodeIp`, the apiserver reachable at `apiserverIps`. */
export async function createPki(
  dir: string,
  opts: { node: string; nodeIp: string; apiserverIps: string[] },
): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca: CertPair = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '30',
    '-subj',
    '/CN=kubegrade-cluster-ca',
  ]);
  const serverExt = (names: string[], ips: string[]) =>
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${[...names.map((n) => `DNS:${n}`), ...ips.map((i) => `IP:${i}`)].join(',')}\n`;
  const clientExt =
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  const apiserver = await sign(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    serverExt(
      [
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'localhost',
      ],
      opts.apiserverIps,
    ),
    ca,
  );
  const kubeletServing = await sign(
    dir,
    'kubelet-serving',
    `/CN=${opts.node}`,
    serverExt([opts.node, 'localhost'], [opts.nodeIp, '127.0.0.1']),
    ca,
  );
  const apiserverKubeletClient = await sign(
    dir,
    'apiserver-kubelet-client',
    '/O=system:masters/CN=kube-apiserver-kubelet-client',
    clientExt,
    ca,
  );
  const clients = {} as Record<ClientName, CertPair>;
  for (const [name, id] of Object.entries(CLIENTS) as [ClientName, (typeof CLIENTS)[ClientName]][]) {
    const cn = id.cn.replace('NODE', opts.node);
    clients[name] = await sign(dir, `client-${name}`, `${id.o ? `/O=${id.o}` : ''}/CN=${cn}`, clientExt, ca);
  }
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    serviceAccountKey,
  ]);
  await run('openssl', ['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub]);
  return {
    dir,
    ca,
    apiserver,
    apiserverKubeletClient,
    kubeletServing,
    serviceAccountKey,
    serviceAccountPub,
    clients,
  };
}

/** A kubeconfig for one client certificate (paths, not inline data, so it stays readable). */
export function kubeconfigYaml(server: string, caFile: string, client: CertPair, user = 'kubegrade'): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: kubegrade
  cluster:
    server: ${server}
    certificate-authority: ${caFile}
users:
- name: ${user}
  user:
    client-certificate: ${client.cert}
    client-key: ${client.key}
contexts:
- name: kubegrade
  context:
    cluster: kubegrade
    user: ${user}
current-context: kubegrade
`;
}
