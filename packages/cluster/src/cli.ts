// `npm run cluster -- up|down|build`: the real single-node cluster from the command line.
//   up     build or reuse the binaries and images, start everything, print "kubeconfig: <file>",
//          then "ready" once the node is Ready and DNS answers; stays up until Ctrl-C (or SIGTERM)
//          or until `down` runs in another shell.
//   down   stop the cluster started by `up` (from any shell) and restore the host; exit 1 naming
//          anything that could not be restored.
//   build  install the Debian packages it needs, then build (or verify the cache of) the binaries
//          and images.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './build.ts';
import { defaultCacheDir, defaultDir, requireTools, startCluster, stopCluster } from './cluster.ts';
import { skipLane } from './availability.ts';
import { ensureImages } from './images.ts';

const say = (line: string) => process.stderr.write(`[cluster] ${line}\n`);

async function main(cmd: string | undefined): Promise<number> {
  const dir = defaultDir();
  if (cmd === 'down') {
    const left = await stopCluster(dir);
    if (left.length) {
      say(`stopped, but the host is not as it was:\n  ${left.join('\n  ')}`);
      return 1;
    }
    say('stopped; the host is as it was before up');
    return 0;
  }
  if (cmd === 'build') {
    // Before the tests (package.json test:real-cluster), so a cold build is not inside a test's hook.
    if (skipLane()) return 0;
    // The tests check for containerd and friends when they load: install them here, first.
    requireTools();
    const binaries = await ensureBinaries({ cacheDir: defaultCacheDir(), log: say });
    await ensureImages({ cacheDir: defaultCacheDir(), log: say, pauseBinary: binaries.pause });
    say('binaries and images are in the cache');
    return 0;
  }
  if (cmd !== 'up') {
    process.stderr.write('usage: npm run cluster -- up | down | build\n');
    return 2;
  }
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping the cluster...`);
    const left = await stopCluster(dir);
    say(
      left.length
        ? `stopped, but the host is not as it was:\n  ${left.join('\n  ')}`
        : 'stopped; the host is as it was before up',
    );
    process.exit(left.length ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const cluster = await startCluster({ dir, log: say });
  process.stdout.write(`kubeconfig: ${cluster.kubeconfig}\n`);
  process.stdout.write('ready\n');
  // `down` from another shell removes the state file: then there is nothing left to hold.
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    if (stopping) continue;
    if (!existsSync(join(dir, 'state.json'))) {
      say('stopped from another shell');
      return 0;
    }
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    say(`failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
