// Runs `prisma generate` offline. Prisma's CLI wants to download its schema engine even for
// `generate`, which never executes it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file
// satisfies the check. Never use this trick for `migrate` (it then applies nothing): migrations
// are applied by packages/db's own runner.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  console.log('prisma-generate: prisma is not installed yet, skipping');
  process.exit(0);
}
if (!existsSync('prisma/schema.prisma')) process.exit(0);
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
process.exit(r.status ?? 1);
