#!/usr/bin/env node
// `kubegrade`: grade a lab in a namespace, list the shipped labs, validate a lab file, and
// (`remote ...`) use a Kubegrade server with an API token.
// The bin is dist/cli.js, the bundle `npm run build` makes from this file (tsx runs the source).
// Exit codes: 0 every check passed (or the file is valid), 1 some check failed (or the file is
// invalid), 2 the run could not be judged (cluster/grader error) or the arguments were wrong.
// Only commander is loaded up front: each command imports what it needs, so `--help` loads no lab
// code and only `grade` loads @kubernetes/client-node.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
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

const labs = () => import('./lab/load.ts');

async function resolveLab(ref: string): Promise<Lab> {
  const { loadLab, loadLabById } = await labs();
  if (ref.endsWith('.yaml') || ref.endsWith('.yml') || ref.includes('/') || existsSync(ref))
    return loadLab(ref);
  return loadLabById(ref);
}

/** Builds the CLI program; `setExit` receives the exit code (so it can run in-process). */
export function buildProgram(
  out: (s: string) => void,
  err: (s: string) => void,
  setExit: (code: number) => void,
): Command {
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
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'junit']).default('table'),
    )
    .addOption(
      new Option('--lang <lang>', 'language of titles, messages and hints in the table (json carries both)')
        .choices(['zh', 'en'])
        .default('zh'),
    )
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
        const [{ kubeConfigFrom }, { grade }, { toJsonReport, toJunit, toTable }] = await Promise.all([
          import('./kube/config.ts'),
          import('./runner.ts'),
          import('./report/index.ts'),
        ]);
        let lab: Lab;
        let kubeConfig;
        try {
          lab = await resolveLab(o.lab);
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
            only: o.only
              ? o.only
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean)
              : undefined,
            signal: controller.signal,
          });
          if (o.format === 'json') out(`${JSON.stringify(toJsonReport(result), null, 2)}\n`);
          else if (o.format === 'junit') out(toJunit(result));
          else
            out(
              toTable(result, { lang: o.lang, color: pc.isColorSupported && Boolean(process.stdout.isTTY) }),
            );
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
    .action(async (o: { format: string }) => {
      const { listLabs } = await labs();
      const shipped = listLabs();
      if (o.format === 'json') {
        out(
          `${JSON.stringify(
            shipped.map((l) => ({
              id: l.id,
              version: l.version,
              title: l.title,
              checks: l.checks.map((c) => ({
                id: c.id,
                points: c.points,
                disruptive: c.disruptive,
                title: c.title,
              })),
            })),
            null,
            2,
          )}\n`,
        );
      } else {
        for (const l of shipped) {
          out(`${l.id} (v${l.version}): ${l.title.en} / ${l.title.zh}\n`);
          for (const c of l.checks)
            out(`  - ${c.id} [${c.points} pts${c.disruptive ? ', disruptive' : ''}] ${c.title.en}\n`);
        }
      }
      setExit(EXIT_OK);
    });

  program
    .command('lab')
    .description('author labs: `lab test` proves a lab with a reference solution and its mutations')
    .command('test')
    .description(
      'apply a reference solution (must pass in full) and its mutation corpus to scratch namespaces; print the verdict table, false passes marked (exit 0: no false pass)',
    )
    .argument('<lab>', 'a shipped lab id or a lab YAML file')
    .requiredOption('--solution <dir>', 'directory of the reference solution manifests (.yaml/.yml/.json)')
    .option(
      '--solution-namespace <ns>',
      'the namespace the solution was written for (default: the one its objects name)',
    )
    .option('--kubeconfig <file>', 'a real cluster (default: an in-process kube-sim)')
    .option('--context <name>', 'kubeconfig context')
    .option(
      '--time-multiplier <n>',
      'multiply every deadline (default 0.25 on kube-sim, 1 on a cluster)',
      positiveNumber,
    )
    .option('--keep', 'leave the scratch namespaces in place (real clusters)')
    .action(
      async (
        labRef: string,
        o: {
          solution: string;
          solutionNamespace?: string;
          kubeconfig?: string;
          context?: string;
          timeMultiplier?: number;
          keep?: boolean;
        },
      ) => {
        try {
          const lab = await resolveLab(labRef);
          const { labTest } = await import('./lab/lab-test.ts');
          setExit(
            await labTest({
              lab,
              solutionDir: o.solution,
              solutionNamespace: o.solutionNamespace,
              kubeconfig: o.kubeconfig,
              context: o.context,
              timeMultiplier: o.timeMultiplier,
              keep: o.keep,
              out,
            }),
          );
        } catch (e) {
          err(`kubegrade: ${e instanceof Error ? e.message : String(e)}\n`);
          setExit(EXIT_ERROR);
        }
      },
    );

  // `remote`: talk to a Kubegrade server with an API token (scripts, CI). Loads only remote.ts.
  const remote = program
    .command('remote')
    .description('use a Kubegrade server with an API token (token from $KUBEGRADE_TOKEN or the config file)')
    .option(
      '--server <url>',
      'the Kubegrade server (default: $KUBEGRADE_URL, or "server" in the config file)',
    )
    .option(
      '--config <file>',
      'JSON config file {"server", "token"} (default: $KUBEGRADE_CONFIG or ~/.config/kubegrade/config.json)',
    );
  const target = async () => {
    const { resolveTarget } = await import('./remote.ts');
    return resolveTarget(remote.opts<{ server?: string; config?: string }>(), process.env, err);
  };
  const remoteFailed = async (e: unknown) => {
    const { RemoteError } = await import('./remote.ts');
    err(`kubegrade: ${e instanceof RemoteError || e instanceof Error ? e.message : String(e)}\n`);
    setExit(EXIT_ERROR);
  };

  remote
    .command('scoreboard')
    .description("print a lab's scoreboard (token scope scoreboard:read)")
    .requiredOption('--lab <id>', 'lab id')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(async (o: { lab: string; format: 'csv' | 'json' }) => {
      try {
        const { exportCsv, scoreboard } = await import('./remote.ts');
        const t = await target();
        if (o.format === 'csv')
          out(await exportCsv(t, `/export/scoreboard/${encodeURIComponent(o.lab)}.csv`));
        else out(`${JSON.stringify(await scoreboard(t, o.lab), null, 2)}\n`);
        setExit(EXIT_OK);
      } catch (e) {
        await remoteFailed(e);
      }
    });

  remote
    .command('regrade')
    .description(
      'regrade students of a lab (token scope regrade:write); --wait follows the runs to their verdicts',
    )
    .requiredOption('--lab <id>', 'lab id')
    .requiredOption('--namespaces <list>', 'comma-separated student namespaces')
    .option('--disruptive', 'also run the disruptive (pod-delete) check', false)
    .option(
      '--wait',
      'wait for every run to finish; exit 0 all passed, 1 some failed, 2 errors or timeout',
      false,
    )
    .option('--timeout <seconds>', 'how long --wait waits', positiveNumber, 1800)
    .option('--interval <seconds>', 'how often --wait asks', positiveNumber, 2)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      async (o: {
        lab: string;
        namespaces: string;
        disruptive: boolean;
        wait: boolean;
        timeout: number;
        interval: number;
        format: 'text' | 'json';
      }) => {
        try {
          const { regrade, waitForRuns, isFinal } = await import('./remote.ts');
          const namespaces = [
            ...new Set(
              o.namespaces
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ];
          if (!namespaces.length) throw new Error('--namespaces needs at least one namespace');
          const t = await target();
          const started = await regrade(t, o.lab, namespaces, o.disruptive);
          const text = o.format === 'text';
          if (text)
            out(
              `regrading ${o.lab}: ${started.runs.length} run(s) (${started.joined} joined one already in progress)\n`,
            );
          let runs = started.runs;
          let timedOut = false;
          if (o.wait) {
            const done = await waitForRuns(t, runs, {
              intervalMs: o.interval * 1000,
              timeoutMs: o.timeout * 1000,
              onChange: (r) =>
                text &&
                isFinal(r.status) &&
                out(`${r.namespace}\t${r.status}\t${r.score ?? '-'}/${r.maxScore}\n`),
            });
            runs = done.runs;
            timedOut = done.timedOut;
          }
          if (text) {
            if (!o.wait) for (const r of runs) out(`${r.namespace}\t${r.status}\t${r.id}\n`);
            if (timedOut)
              err(
                `kubegrade: gave up waiting after ${o.timeout} s; ${runs.filter((r) => !isFinal(r.status)).length} run(s) still open\n`,
              );
          } else out(`${JSON.stringify({ lab: o.lab, joined: started.joined, timedOut, runs }, null, 2)}\n`);
          if (!o.wait) return setExit(EXIT_OK);
          const failed = runs.some((r) => r.status === 'FAILED');
          const broken = timedOut || runs.some((r) => r.status === 'ERROR' || r.status === 'CANCELLED');
          setExit(broken ? EXIT_ERROR : failed ? EXIT_FAIL : EXIT_OK);
        } catch (e) {
          await remoteFailed(e);
        }
      },
    );

  program
    .command('validate')
    .description('check a lab file (exit 0 valid, 1 invalid)')
    .argument('<file>', 'lab YAML file')
    .action(async (file: string) => {
      const { validateLabFile } = await labs();
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
