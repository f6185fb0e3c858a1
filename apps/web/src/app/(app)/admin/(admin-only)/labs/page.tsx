import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { DataTable } from '@/components/DataTable';
import { ServerErrorNote } from '@/components/Feedback';
import { LabSwitch, LabSwitchboard } from '@/components/LabSwitches';
import { PageHeader } from '@/components/PageHeader';
import { pick } from '@/i18n/locales';
import type { LabLiveFlagsQuery, LabsQuery } from '@/lib/graphql.generated';
import { LAB_LIVE_FLAGS } from '@/lib/live';
import { LABS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';

/** Admin: turn labs on or off and choose whether the disruptive (pod-delete) check runs. */
export default async function AdminLabsPage() {
  const t = await getTranslations('adminLabs');
  const locale = await getLocale();
  const [labs, liveFlags] = await Promise.all([
    serverQuery<LabsQuery>(LABS),
    serverQuery<LabLiveFlagsQuery>(LAB_LIVE_FLAGS),
  ]);
  const header = <PageHeader title={t('title')} intro={t('intro')} />;
  if (labs.error !== null)
    return (
      <div className="space-y-5">
        {header}
        <ServerErrorNote message={labs.error} />
      </div>
    );
  // Without the live flags the live switches wait (disabled); the other switches still work.
  const live = new Map(liveFlags.data?.labs.map((l) => [l.id, l.liveEnabled]));

  return (
    <div className="space-y-5">
      {header}
      {liveFlags.error !== null && <ServerErrorNote message={liveFlags.error} />}
      <LabSwitchboard>
        <DataTable label={t('title')} className="rounded-lg border border-slate-200 bg-white">
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className="px-4 py-2">
                {t('lab')}
              </th>
              <th scope="col" className="px-4 py-2">
                {t('checks')}
              </th>
              <th scope="col" className="px-4 py-2">
                {t('enabled')}
              </th>
              <th scope="col" className="px-4 py-2">
                {t('disruptive')}
              </th>
              <th scope="col" className="px-4 py-2">
                {t('live')}
              </th>
              <th scope="col" className="px-4 py-2">
                <span className="sr-only">{t('scoreboard')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {labs.data.labs.map((lab) => {
              const title = pick(lab.title, locale);
              return (
                <tr key={lab.id} className="border-t border-slate-200 align-top" data-lab={lab.id}>
                  <th scope="row" className="px-4 py-3 font-normal">
                    <div className="font-semibold">{title}</div>
                    <div className="text-xs text-slate-600">
                      <code className="font-mono">{lab.id}</code> · v{lab.version}
                    </div>
                  </th>
                  <td className="px-4 py-3">
                    <ul className="space-y-0.5">
                      {lab.checks.map((c) => (
                        <li key={c.id}>
                          {pick(c.title, locale)} <span className="text-slate-600">({c.points})</span>
                          {c.disruptive && (
                            <span className="ml-1 text-xs font-semibold text-amber-800">
                              {t('disruptiveTag')}
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-4 py-3">
                    <LabSwitch kind="enabled" labId={lab.id} labTitle={title} checked={lab.enabled} />
                  </td>
                  <td className="px-4 py-3">
                    <LabSwitch
                      kind="disruptive"
                      labId={lab.id}
                      labTitle={title}
                      checked={lab.disruptiveEnabled}
                    />
                  </td>
                  <td className="px-4 py-3">
                    <LabSwitch
                      kind="live"
                      labId={lab.id}
                      labTitle={title}
                      checked={live.get(lab.id) ?? false}
                      disabled={liveFlags.data === null}
                    />
                  </td>
                  <td className="px-4 py-3">
                    <Link
                      href={`/labs/${encodeURIComponent(lab.id)}/scoreboard`}
                      className="font-medium text-blue-800 underline"
                    >
                      {t('scoreboard')}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      </LabSwitchboard>
    </div>
  );
}
