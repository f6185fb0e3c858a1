#!/usr/bin/env node
// The `kubegrade` command (package.json `bin`): plain JavaScript that runs the CLI bundle in dist/,
// which `npm run build -w @kubegrade/grader` makes (turbo builds it before the tests). This file is
// committed so npm links the command even before the first build (npm skips a missing bin target).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/cli.js')) throw e;
  process.stderr.write('kubegrade: the CLI is not built yet: run `npm run build -w @kubegrade/grader`\n');
  process.exit(2);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 2;
  },
);
