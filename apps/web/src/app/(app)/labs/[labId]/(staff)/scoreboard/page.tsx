import { ServerErrorNote } from '@/components/Feedback';
import { LiveScoreboard } from '@/components/LiveScoreboard';
import type { ScoreboardQuery } from '@/lib/graphql.generated';
import { SCOREBOARD } from '@/lib/queries';
import { filterFromParams } from '@/lib/scoreboard';
import { serverQuery } from '@/lib/server-graphql';

/** The instructor's live scoreboard for one lab; the filter is the URL's (`?search=&status=&checkId=`). */
export default async function ScoreboardPage({
  params,
  searchParams,
}: {
  params: Promise<{ labId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const labId = decodeURIComponent((await params).labId);
  const filter = filterFromParams(await searchParams);
  const result = await serverQuery<ScoreboardQuery>(SCOREBOARD, { labId, filter, first: 1000 });
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  return <LiveScoreboard board={result.data.scoreboard} filter={filter} />;
}
