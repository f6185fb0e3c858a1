// The kubeconfig kube-sim hands to kubectl and @kubernetes/client-node.

import { stringify } from 'yaml';

/** A kubeconfig for an http:// kube-sim server with a bearer token. */
export function buildKubeconfig(url: string, token: string, name = 'kube-sim'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
