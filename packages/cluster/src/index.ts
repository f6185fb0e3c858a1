// A real single-node Kubernetes cluster for the test suite, the demo and the bench.
export {
  startCluster,
  stopCluster,
  defaultDir,
  defaultCacheDir,
  NODE_NAME,
  NODE_IP,
  POD_CIDR,
  SERVICE_CIDR,
  DNS_IP,
  NFS_SERVER,
  type Cluster,
  type ClusterOptions,
} from './cluster.ts';
export {
  ensureBinaries,
  ClusterUnavailable,
  goCommand,
  KUBERNETES_VERSION,
  COREDNS_VERSION,
  type Binaries,
} from './build.ts';
export { snapshotHost, diffHost, type HostSnapshot } from './host.ts';
export { ensureImages, importImages, type ImageArchive } from './images.ts';
