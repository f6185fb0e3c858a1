// `npm test`: installs what is missing, then runs the two lanes at the same time and fails if
// either fails:
//   - the main lane, `turbo run typecheck lint lint:format lint:cycles test` (every package,
//     prettier --check over the tree and madge's import-cycle check; CPU-bound), at a lower CPU
//     priority (nice 10);
//   - the real-cluster lane (packages/cluster: a real single-node Kubernetes, mostly waiting for the
//     kubelet and containerd), at normal priority, so the cluster's components get the CPU the
//     moment they need it and its timings stay those of a quiet machine.
// Run one alone with `npx turbo run typecheck lint lint:format lint:cycles test` or
// `npm run test:real-cluster -w @kubegrade/cluster`.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

execFileSync(process.execPath, ['scripts/ensure-install.mjs'], { stdio: 'inherit' });

const turbo = [
  'node_modules/.bin/turbo',
  'run',
  'typecheck',
  'lint',
  'lint:format',
  'lint:cycles',
  'test',
  '--continue',
];
const lanes = [
  { name: 'main lane', prefix: '', cmd: ['nice', '-n', '10', ...turbo] },
  {
    name: 'real-cluster lane',
    prefix: '[real-cluster] ',
    cmd: ['npm', 'run', '--silent', 'test:real-cluster', '-w', '@kubegrade/cluster'],
  },
];

const started = Date.now();
const children = [];
// A TERM for us (CI cancelling) is a TERM for both lanes; Ctrl-C reaches them from the terminal
// itself, and we wait for them to clean up (the cluster lane stops its cluster) before exiting.
// A lane's exit code does not say it was stopped (turbo exits 0 on SIGINT): we remember it.
let interrupted = '';
process.on('SIGTERM', () => {
  interrupted = 'SIGTERM';
  for (const c of children) c.kill('SIGTERM');
});
process.on('SIGINT', () => {
  interrupted = 'SIGINT';
});
const results = await Promise.all(
  lanes.map(
    (lane) =>
      new Promise((resolve) => {
        const t0 = Date.now();
        const child = spawn(lane.cmd[0], lane.cmd.slice(1), { stdio: ['inherit', 'pipe', 'pipe'] });
        children.push(child);
        for (const [from, to] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ])
          createInterface({ input: from }).on('line', (line) => to.write(`${lane.prefix}${line}\n`));
        const done = (code) => resolve({ lane, code, seconds: Math.round((Date.now() - t0) / 1000) });
        child.on('error', (err) => {
          process.stderr.write(`${lane.prefix}could not start ${lane.cmd.join(' ')}: ${err.message}\n`);
          done(1);
        });
        child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
      }),
  ),
);

const minutes = (s) => `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
const verdict = (code) =>
  interrupted
    ? `INTERRUPTED (${interrupted}, exit ${code})`
    : code === 0
      ? 'passed'
      : `FAILED (exit ${code})`;
for (const r of results) console.log(`npm test: ${r.lane.name} ${verdict(r.code)} in ${minutes(r.seconds)}`);
console.log(`npm test: ${minutes(Math.round((Date.now() - started) / 1000))} in all`);
process.exit(interrupted || results.some((r) => r.code !== 0) ? 1 : 0);
