// `npm run rbac -w @kubegrade/deploy -- --roster roster.csv | kubectl apply -f -`
// Prints one RoleBinding per student namespace, from a roster CSV or the database's enrollments.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_IDENTITY, namespacesFromRoster, roleBindings, toYaml } from './rolebindings.ts';

const program = new Command('kubegrade-rbac')
  .description(
    'print RoleBindings granting the grader (the worker ServiceAccount) access to each student namespace',
  )
  .option('--roster <file>', 'roster CSV (email,name,student_id,namespace)')
  .option('--from-database', 'read namespaces from the enrollments in DATABASE_URL')
  .option('--course <slug>', 'with --from-database: only this course')
  .option('--service-account <name>', 'the worker ServiceAccount', DEFAULT_IDENTITY.serviceAccount)
  .option('--sa-namespace <ns>', "the worker ServiceAccount's namespace", DEFAULT_IDENTITY.namespace)
  .action(
    async (opts: {
      roster?: string;
      fromDatabase?: boolean;
      course?: string;
      serviceAccount: string;
      saNamespace: string;
    }) => {
      let namespaces: string[];
      if (opts.roster) namespaces = namespacesFromRoster(readFileSync(opts.roster, 'utf8'));
      else if (opts.fromDatabase) {
        const url = process.env.DATABASE_URL;
        if (!url) throw new Error('--from-database needs DATABASE_URL');
        const { namespacesFromDatabase } = await import('./enrollments.ts');
        namespaces = await namespacesFromDatabase(url, opts.course);
      } else throw new Error('give --roster <file> or --from-database');
      if (namespaces.length === 0) throw new Error('no student namespaces found');
      process.stdout.write(
        toYaml(
          roleBindings(namespaces, { serviceAccount: opts.serviceAccount, namespace: opts.saNamespace }),
        ),
      );
    },
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`kubegrade rbac: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
