// `npm run build -w @kubegrade/grader`: the published `kubegrade` CLI as plain JavaScript.
// esbuild bundles src/cli.ts and its dependencies into dist/ as ES modules with code splitting, so
// what `grade` loads with import() (the runner, the kubeconfig reader and with them
// @kubernetes/client-node, ~1,650 files when loaded from node_modules, one chunk here) stays in
// chunks that `kubegrade --help`, `labs` and `validate` never load. dist/meta.json (esbuild's
// metafile) says which chunk holds what. `kubegrade lab test` is a second bundle (dist/lab-test/),
// so its extra kube client code and kube-sim never enter the chunks `grade` loads. The labs YAML
// files are not bundled: the CLI reads them from labs/ at run time (see LABS_DIR in
// src/lab/load.ts).
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const PKG = fileURLToPath(new URL('.', import.meta.url));
/** The bundle's entry point, run by bin/kubegrade.js (package.json `bin.kubegrade`). */
export const CLI_BUNDLE = `${PKG}dist/cli.js`;
/** esbuild's metafile of the last build: every output file and the inputs in it. */
export const CLI_METAFILE = `${PKG}dist/meta.json`;

/** `kubegrade lab test` is built on its own (dist/lab-test/): it drives more of the kube client and
 * embeds kube-sim, and sharing chunks with `grade` would make every `grade` load all of that. */
const LAB_TEST_SRC = 'src/lab/lab-test.ts';
const LAB_TEST_OUT = 'lab-test/lab-test';
const separateLabTest: Plugin = {
  name: 'separate-lab-test',
  setup(b) {
    b.onResolve({ filter: /\/lab-test\.ts$/ }, (args) =>
      args.importer.endsWith('src/cli.ts') ? { path: `./${LAB_TEST_OUT}.js`, external: true } : undefined,
    );
  },
};

/** Builds dist/ from src/cli.ts; resolves when the bundle is written. Each file is written under a
 * temporary name and renamed, chunks before the entry, so a CLI started meanwhile (another test
 * run) reads either the old bundle or the new one, never half a file. */
export async function buildCli(): Promise<void> {
  const common = {
    absWorkingDir: PKG,
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'bundle',
    metafile: true,
    // The entry's `#!/usr/bin/env node` is kept. commander and picocolors are CommonJS: give their
    // require() of node builtins a real require in every output file.
    banner: {
      js: "import { createRequire as __kubegradeCreateRequire } from 'node:module';\nconst require = __kubegradeCreateRequire(import.meta.url);",
    },
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  } as const satisfies BuildOptions;
  const [cli, labTest] = await Promise.all([
    build({
      ...common,
      entryPoints: { cli: 'src/cli.ts' },
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [separateLabTest],
    }),
    build({
      ...common,
      entryPoints: { [LAB_TEST_OUT]: LAB_TEST_SRC },
      chunkNames: 'lab-test/chunks/[name]-[hash]',
    }),
  ]);
  const outputFiles = [...cli.outputFiles, ...labTest.outputFiles];
  const metafile = {
    inputs: { ...cli.metafile.inputs, ...labTest.metafile.inputs },
    outputs: { ...cli.metafile.outputs, ...labTest.metafile.outputs },
  };
  const written = new Set<string>([CLI_METAFILE]);
  const files = [
    ...outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
    { path: CLI_METAFILE, contents: Buffer.from(JSON.stringify(metafile)) },
  ];
  for (const f of files.sort((a, b) => Number(a.path === CLI_BUNDLE) - Number(b.path === CLI_BUNDLE))) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents, { mode: f.path === CLI_BUNDLE ? 0o755 : 0o644 });
    renameSync(tmp, f.path);
    written.add(f.path);
  }
  chmodSync(CLI_BUNDLE, 0o755);
  // Chunks of earlier builds (their names carry a content hash).
  for (const f of readdirSync(join(PKG, 'dist'), { recursive: true, encoding: 'utf8' })) {
    const path = join(PKG, 'dist', f);
    if (/\.js(\.map)?$/.test(f) && !written.has(path)) rmSync(path, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
