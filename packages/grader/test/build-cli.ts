// vitest globalSetup: the CLI tests run the built bundle (dist/), so build it when it is missing or
// older than anything it is built from. `npm test` builds it already (turbo: test depends on build);
// this keeps `npx vitest run` in this package from testing a stale bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli, CLI_BUNDLE } from '../build.ts';

const PKG = join(import.meta.dirname, '..');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

export default async function setup(): Promise<void> {
  const inputs = ['src', 'build.ts', 'package.json'].map((p) => newestMtime(join(PKG, p)));
  if (!existsSync(CLI_BUNDLE) || statSync(CLI_BUNDLE).mtimeMs < Math.max(...inputs)) await buildCli();
}
