// Renders the kustomizations with the real kubectl (its built-in kustomize) and parses the result.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** deploy/ */
export const DEPLOY_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The kubectl binary (KUBECTL, else the Debian/upstream install locations). */
export const KUBECTL = [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl'].find(
  (p): p is string => Boolean(p && existsSync(p)),
);

/** A rendered object (the fields the tests read). */
export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

/** `kubectl kustomize <dir>` parsed into objects. */
export function kustomize(dir: string): Obj[] {
  if (!KUBECTL)
    throw new Error(
      'kubectl is not installed (set KUBECTL or install it at /usr/bin/kubectl): it renders the kustomizations',
    );
  const out = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
  return parseYaml(out);
}

/** Multi-document YAML into objects (empty documents dropped). */
export function parseYaml(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null && typeof o === 'object');
}
