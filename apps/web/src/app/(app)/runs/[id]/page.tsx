import { getTranslations } from 'next-intl/server';
import { ServerErrorNote } from '@/components/Feedback';
import { RunReport } from '@/components/RunReport';
import type { RunQuery, RunsQuery } from '@/lib/graphql.generated';
import { RUN, RUNS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import { requireMe } from '@/lib/session';

function first(v: string | string[] | undefined): string | null {
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** One run's full report: every check with its evidence, and the student's run history. */
export default async function RunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ id }, query, me] = await Promise.all([params, searchParams, requireMe()]);
  const enrollmentId = first(query.enrollment);
  const result = await serverQuery<RunQuery>(RUN, { id });
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  const run = result.data.run;
  if (!run) {
    const t = await getTranslations('run');
    return <p className="text-slate-700">{t('notFound')}</p>;
  }
  // A student's own history; staff see a student's when the link names the enrollment.
  const history =
    me.role === 'STUDENT' || enrollmentId
      ? await serverQuery<RunsQuery>(RUNS, { labId: run.lab.id, enrollmentId, first: 20 })
      : null;
  return (
    <RunReport
      initial={run}
      history={history?.data?.runs.nodes ?? null}
      enrollmentId={enrollmentId}
      staff={me.role !== 'STUDENT'}
    />
  );
}
