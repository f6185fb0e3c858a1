// `node --import ./test/block-kube-client.mjs ...`: loading @kubernetes/client-node throws, so a
// command that works under it provably never loads the Kubernetes client. Blocked: the package
// itself, and every file of the built bundle that holds its code (from dist/meta.json, esbuild's
// metafile: the client is bundled into a chunk that only `grade` imports).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('meta.json', dist), 'utf8'));
const blocked = Object.entries(meta.outputs)
  .filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node_modules/@kubernetes/client-node/')))
  .map(([file]) => pathToFileURL(new URL(`../${file}`, dist).pathname).href);
if (blocked.length === 0)
  throw new Error('block-kube-client: no file of dist/ holds @kubernetes/client-node (external?)');

const hook = `let blocked = [];
export function initialize(data) { blocked = data.blocked; }
export async function resolve(specifier, context, next) {
  if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/')) {
    throw new Error('blocked: this command loaded @kubernetes/client-node');
  }
  const r = await next(specifier, context);
  if (blocked.includes(r.url)) throw new Error('blocked: this command loaded @kubernetes/client-node (' + r.url + ')');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { blocked } });
