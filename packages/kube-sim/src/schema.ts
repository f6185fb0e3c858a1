// Known fields of the kinds kube-sim serves (the shapes they share; each kind's own in
// kinds/<kind>.ts), for `fieldValidation=Strict` (what kubectl sends by
// default): an unknown field such as `spec.claimref` is refused with the API server's "strict
// decoding error". Subtrees kube-sim does not model are marked ANY and never rejected, so a
// valid manifest is never refused.

/** The known fields of a value: any, a scalar, an object's fields, a list or a map of one shape. */
export type Shape = 'ANY' | 'S' | { fields: Record<string, Shape> } | { list: Shape } | { map: Shape };

export const ANY: Shape = 'ANY';
export const S: Shape = 'S';
export const obj = (fields: Record<string, Shape>): Shape => ({ fields });
export const list = (of: Shape): Shape => ({ list: of });
export const map = (of: Shape = S): Shape => ({ map: of });
export const anyOf = (names: string[]): Record<string, Shape> =>
  Object.fromEntries(names.map((n) => [n, ANY]));

export const OBJECT_META = obj({
  name: S,
  generateName: S,
  namespace: S,
  selfLink: S,
  uid: S,
  resourceVersion: S,
  generation: S,
  creationTimestamp: S,
  deletionTimestamp: S,
  deletionGracePeriodSeconds: S,
  labels: map(),
  annotations: map(),
  ownerReferences: ANY,
  finalizers: list(S),
  managedFields: ANY,
});

export const LABEL_SELECTOR = obj({ matchLabels: map(), matchExpressions: ANY });

export const NFS = obj({ server: S, path: S, readOnly: S });
export const HOST_PATH = obj({ path: S, type: S });
/** Volume sources kube-sim does not model (any content accepted). */
export const UNMODELLED_VOLUME_SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

const VOLUME = obj({
  name: S,
  hostPath: HOST_PATH,
  emptyDir: obj({ medium: S, sizeLimit: S }),
  nfs: NFS,
  persistentVolumeClaim: obj({ claimName: S, readOnly: S }),
  ...anyOf(UNMODELLED_VOLUME_SOURCES),
});

const PROBE = obj({
  exec: obj({ command: list(S) }),
  httpGet: ANY,
  tcpSocket: obj({ port: S, host: S }),
  grpc: ANY,
  initialDelaySeconds: S,
  timeoutSeconds: S,
  periodSeconds: S,
  successThreshold: S,
  failureThreshold: S,
  terminationGracePeriodSeconds: S,
});

const CONTAINER = obj({
  name: S,
  image: S,
  command: list(S),
  args: list(S),
  workingDir: S,
  ports: list(obj({ name: S, hostPort: S, containerPort: S, protocol: S, hostIP: S })),
  envFrom: ANY,
  env: list(obj({ name: S, value: S, valueFrom: ANY })),
  resources: obj({ limits: map(), requests: map(), claims: ANY }),
  resizePolicy: ANY,
  restartPolicy: S,
  volumeMounts: list(
    obj({
      name: S,
      readOnly: S,
      recursiveReadOnly: S,
      mountPath: S,
      subPath: S,
      mountPropagation: S,
      subPathExpr: S,
    }),
  ),
  volumeDevices: ANY,
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  lifecycle: ANY,
  terminationMessagePath: S,
  terminationMessagePolicy: S,
  imagePullPolicy: S,
  securityContext: ANY,
  stdin: S,
  stdinOnce: S,
  tty: S,
});

export const POD_SPEC = obj({
  volumes: list(VOLUME),
  initContainers: list(CONTAINER),
  containers: list(CONTAINER),
  ephemeralContainers: ANY,
  restartPolicy: S,
  terminationGracePeriodSeconds: S,
  activeDeadlineSeconds: S,
  dnsPolicy: S,
  nodeSelector: map(),
  serviceAccountName: S,
  serviceAccount: S,
  automountServiceAccountToken: S,
  nodeName: S,
  hostNetwork: S,
  hostPID: S,
  hostIPC: S,
  shareProcessNamespace: S,
  securityContext: ANY,
  imagePullSecrets: ANY,
  hostname: S,
  subdomain: S,
  affinity: ANY,
  schedulerName: S,
  tolerations: ANY,
  hostAliases: ANY,
  priorityClassName: S,
  priority: S,
  dnsConfig: ANY,
  readinessGates: ANY,
  runtimeClassName: S,
  enableServiceLinks: S,
  preemptionPolicy: S,
  overhead: ANY,
  topologySpreadConstraints: ANY,
  setHostnameAsFQDN: S,
  os: ANY,
  hostUsers: S,
  schedulingGates: ANY,
  resourceClaims: ANY,
  resources: ANY,
});

export const PVC_SPEC = obj({
  accessModes: list(S),
  selector: LABEL_SELECTOR,
  resources: obj({ limits: map(), requests: map() }),
  volumeName: S,
  storageClassName: S,
  volumeMode: S,
  dataSource: ANY,
  dataSourceRef: ANY,
  volumeAttributesClassName: S,
});

/** A top-level object: apiVersion, kind, metadata, status and the given fields. */
export const top = (fields: Record<string, Shape>): Shape =>
  obj({ apiVersion: S, kind: S, metadata: OBJECT_META, status: ANY, ...fields });

/** Paths of fields the kind does not have, as the strict decoder names them ("spec.claimref"). */
export function unknownFields(shape: Shape | undefined, value: unknown): string[] {
  if (!shape) return [];
  const out: string[] = [];
  walk(shape, value, '', out);
  return out;
}

function walk(shape: Shape, value: unknown, path: string, out: string[]): void {
  if (shape === 'ANY' || shape === 'S' || value === null || value === undefined) return;
  if ('fields' in shape) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = shape.fields[k];
      const p = path ? `${path}.${k}` : k;
      if (!sub) out.push(p);
      else walk(sub, v, p, out);
    }
  } else if ('list' in shape) {
    if (!Array.isArray(value)) return;
    value.forEach((v, i) => walk(shape.list, v, `${path}[${i}]`, out));
  } else if ('map' in shape) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      walk(shape.map, v, `${path}[${k}]`, out);
  }
}

/** Drop fields the kind does not have (in place), as the API server's decoder does. */
export function pruneUnknownFields(shape: Shape | undefined, value: unknown): void {
  if (shape) prune(shape, value);
}

function prune(shape: Shape, value: unknown): void {
  if (shape === 'ANY' || shape === 'S' || value === null || value === undefined || typeof value !== 'object')
    return;
  if ('fields' in shape) {
    if (Array.isArray(value)) return;
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const sub = shape.fields[k];
      if (!sub) delete o[k];
      else prune(sub, o[k]);
    }
  } else if ('list' in shape) {
    if (Array.isArray(value)) for (const v of value) prune(shape.list, v);
  } else if ('map' in shape) {
    if (!Array.isArray(value))
      for (const v of Object.values(value as Record<string, unknown>)) prune(shape.map, v);
  }
}
