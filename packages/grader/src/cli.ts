#!/usr/bin/env tsx
// `kubegrade`: grade a lab in a namespace, list the shipped labs, validate a lab file.
// Exit codes: 0 every check passed (or the file is valid), 1 some check failed (or the file is
// invalid), 2 the run could not be judged (cluster/grader error) or the arguments were wrong.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { listLabs, loadLab, loadLabById, validateLabFile } from './lab/load.ts';
import { toJsonReport, toJunit, toTable } from './report/index.ts';
import type { Lab } from './types.ts';
import { GRADER_VERSION } from './version.ts';

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_ERROR = 2;

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function resolveLab(ref: string): Lab {
  if (ref.endsWith('.yaml') || ref.endsWith('.yml') || ref.includes('/') || existsSync(ref)) return loadLab(ref);
  return loadLabById(ref);
}

/** Builds the CLI program; `setExit` receives the exit code (so it can run in-process). */
export function buildProgram(out: (s: string) => void, err: (s: string) => void, setExit: (code: number) => void): Command {
  const program = new Command()
    .name('kubegrade')
    .description('Grade the Kubernetes storage and StatefulSet labs in a student namespace')
    .version(GRADER_VERSION)
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride()
    .showHelpAfterError();

  program
    .command('grade')
    .description('grade a lab in a namespace')
    .requiredOption('--lab <id|file>', 'a shipped lab id (see `kubegrade labs`) or a lab YAML file')
    .requiredOption('-n, --namespace <ns>', "the student's namespace")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'junit']).default('table'))
    .addOption(new Option('--lang <lang>', 'language of titles and hints in the table').choices(['zh', 'en']).default('zh'))
    .option('--no-disruptive', 'skip disruptive checks (the pod-delete check)')
    .option('--time-multiplier <n>', 'multiply every deadline (slow clusters)', positiveNumber, 1)
    .option('--only <ids>', 'comma-separated check ids to run (plus what they need)')
    .action(
      async (o: {
        lab: string;
        namespace: string;
        kubeconfig?: string;
        context?: string;
        format: 'table' | 'json' | 'junit';
        lang: 'zh' | 'en';
        disruptive: boolean;
        timeMultiplier: number;
        only?: string;
      }) => {
        // Loaded here so `labs`, `validate` and usage errors do not pay for the Kubernetes client.
        const [{ kubeConfigFrom }, { grade }] = await Promise.all([import('./kube/config.ts'), import('./runner.ts')]);
        let lab: Lab;
        let kubeConfig;
        try {
          lab = resolveLab(o.lab);
          kubeConfig = kubeConfigFrom({ kubeconfig: o.kubeconfig, context: o.context });
        } catch (e) {
          err(`kubegrade: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(EXIT_ERROR);
          return;
        }
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const result = await grade({
            lab,
            namespace: o.namespace,
            kubeConfig,
            disruptive: o.disruptive,
            timeMultiplier: o.timeMultiplier,
            only: o.only ? o.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
            signal: controller.signal,
          });
          if (o.format === 'json') out(`${JSON.stringify(toJsonReport(result), null, 2)}\n`);
          else if (o.format === 'junit') out(toJunit(result));
          else out(toTable(result, { lang: o.lang, color: pc.isColorSupported && Boolean(process.stdout.isTTY) }));
          setExit(result.status === 'passed' ? EXIT_OK : result.status === 'failed' ? EXIT_FAIL : EXIT_ERROR);
        } catch (e) {
          err(`kubegrade: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(EXIT_ERROR);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );

  program
    .command('labs')
    .description('list the shipped labs and their checks')
    .option('--format <format>', 'table or json', 'table')
    .action((o: { format: string }) => {
      const labs = listLabs();
      if (o.format === 'json') {
        out(`${JSON.stringify(labs.map((l) => ({ id: l.id, version: l.version, title: l.title, checks: l.checks.map((c) => ({ id: c.id, points: c.points, disruptive: c.disruptive, title: c.title })) })), null, 2)}\n`);
      } else {
        for (const l of labs) {
          out(`${l.id} (v${l.version}): ${l.title.en} / ${l.title.zh}\n`);
          for (const c of l.checks) out(`  - ${c.id} [${c.points} pts${c.disruptive ? ', disruptive' : ''}] ${c.title.en}\n`);
        }
      }
      setExit(EXIT_OK);
    });

  program
    .command('validate')
    .description('check a lab file (exit 0 valid, 1 invalid)')
    .argument('<file>', 'lab YAML file')
    .action((file: string) => {
      const r = validateLabFile(file);
      if (r.ok) {
        out(`${file}: valid lab ${r.lab.id} v${r.lab.version} with ${r.lab.checks.length} checks\n`);
        setExit(EXIT_OK);
      } else {
        err(`${file}: invalid\n${r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n`);
        setExit(EXIT_FAIL);
      }
    });
  return program;
}

/** Runs the CLI with argv (without node and script) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
    (c) => (code = c),
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every usage error is 2.
      return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    process.stderr.write(`kubegrade: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_ERROR;
  }
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_ERROR;
  }
  return code;
}

/** True when this file is the program being run (directly, or through the node_modules/.bin symlink). */
function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT_ERROR;
    },
  );
}
