import { getTranslations } from 'next-intl/server';
import { CopyButton } from '@/components/CopyButton';
import { DataTable } from '@/components/DataTable';
import { ServerErrorNote } from '@/components/Feedback';
import { LocalDateTime } from '@/components/LocalDateTime';
import { LtiPassbackSearch } from '@/components/LtiPassbackSearch';
import { LtiRegisterForm } from '@/components/LtiRegisterForm';
import { LtiRosterSync } from '@/components/LtiRosterSync';
import { PageHeader } from '@/components/PageHeader';
import type { EnrollmentSearchQuery, LtiPassbacksQuery, LtiPlatformsQuery } from '@/lib/graphql.generated';
import { ENROLLMENT_SEARCH, LTI_PASSBACKS, LTI_PLATFORMS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import type { LtiPlatform, LtiScorePush } from '@/lib/types';

function first(v: string | string[] | undefined): string {
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim();
}

async function PlatformCard({ platform }: { platform: LtiPlatform }) {
  const t = await getTranslations('lti');
  const urls = [
    ['toolLoginUrl', platform.toolLoginUrl],
    ['toolLaunchUrl', platform.toolLaunchUrl],
    ['toolJwksUrl', platform.toolJwksUrl],
  ] as const;
  return (
    <section
      aria-labelledby={`lti-${platform.id}`}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-lti-platform={platform.id}
    >
      <h3 id={`lti-${platform.id}`} className="text-lg font-semibold">
        {platform.name}{' '}
        <span className="text-sm font-normal text-slate-600">
          · <code className="font-mono">{platform.courseSlug}</code> ·{' '}
          <LocalDateTime iso={platform.createdAt} />
        </span>
      </h3>
      <p className="text-sm text-slate-700">
        {t('issuer')}: <code className="font-mono">{platform.issuer}</code> · {t('clientId')}:{' '}
        <code className="font-mono">{platform.clientId}</code> · {t('deploymentId')}:{' '}
        <code className="font-mono">{platform.deploymentId}</code>
      </p>
      <div>
        <p className="text-sm font-medium">{t('toolUrls')}</p>
        <dl className="mt-1 grid gap-1 text-sm sm:grid-cols-[max-content_1fr_max-content] sm:items-center">
          {urls.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="pr-3">{t(k)}</dt>
              <dd className="break-all font-mono">{v}</dd>
              <dd>
                <CopyButton text={v} />
              </dd>
            </div>
          ))}
        </dl>
        <p className="mt-1 text-sm text-slate-600">{t('customLab')}</p>
      </div>
      <div>
        <p className="text-sm font-medium">{t('roster')}</p>
        {platform.membershipsUrl ? (
          <LtiRosterSync platformId={platform.id} />
        ) : (
          <p className="text-sm text-slate-600">{t('rosterNoUrl')}</p>
        )}
      </div>
    </section>
  );
}

type Lookup =
  { error: string } | { enrollment: { id: string; label: string }; pushes: LtiScorePush[] } | null;

/** The passback log of the URL's student (first match of the search) and lab, looked up here. */
async function lookUp(student: string, lab: string): Promise<Lookup> {
  if (!student || !lab) return null;
  const t = await getTranslations('lti');
  const found = await serverQuery<EnrollmentSearchQuery>(ENROLLMENT_SEARCH, { search: student });
  if (found.error !== null) return { error: found.error };
  const match = found.data.enrollments[0];
  if (!match) return { error: t('noPushes') };
  const log = await serverQuery<LtiPassbacksQuery>(LTI_PASSBACKS, { enrollmentId: match.id, labId: lab });
  if (log.error !== null) return { error: log.error };
  return {
    enrollment: { id: match.id, label: `${match.user.name} · ${match.namespace}` },
    pushes: log.data.ltiPassbacks,
  };
}

async function Passbacks({ student, lab }: { student: string; lab: string }) {
  const t = await getTranslations('lti');
  const lookup = await lookUp(student, lab);
  const found = lookup && 'enrollment' in lookup ? lookup : null;
  return (
    <section
      aria-labelledby="lti-passbacks-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id="lti-passbacks-heading" className="text-lg font-semibold">
        {t('passbacks')}
      </h2>
      <p className="text-sm text-slate-700">{t('passbacksIntro')}</p>
      <LtiPassbackSearch student={student} lab={lab} enrollmentId={found?.enrollment.id ?? null} />
      {lookup && 'error' in lookup && (
        <p role="alert" className="text-sm text-red-900">
          {lookup.error}
        </p>
      )}
      {found && (
        <div data-testid="lti-passback-log">
          <p className="text-sm font-medium">{found.enrollment.label}</p>
          {found.pushes.length === 0 ? (
            <p className="text-sm text-slate-600">{t('noPushes')}</p>
          ) : (
            <DataTable
              label={found.enrollment.label}
              testId="lti-passbacks"
              tableClassName="mt-1 w-full text-left text-sm"
            >
              <thead>
                <tr className="border-b border-slate-300">
                  {(['at', 'status', 'score', 'http', 'error', 'sentAt'] as const).map((k) => (
                    <th key={k} scope="col" className="py-1 pr-4">
                      {t(k)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {found.pushes.map((p) => (
                  <tr key={p.id} className="border-b border-slate-200">
                    <td className="py-1 pr-4 tabular-nums">
                      <LocalDateTime iso={p.createdAt} />
                    </td>
                    <td className="py-1 pr-4 font-semibold">{t(`pushStatus.${p.status}`)}</td>
                    <td className="py-1 pr-4 tabular-nums">
                      {p.scoreGiven === null ? '—' : `${p.scoreGiven}/${p.scoreMaximum ?? '?'}`}
                    </td>
                    <td className="py-1 pr-4 tabular-nums">{p.statusCode ?? '—'}</td>
                    <td className="max-w-xs truncate py-1 pr-4" title={p.error ?? undefined}>
                      {p.error ?? '—'}
                    </td>
                    <td className="py-1 pr-4 tabular-nums">
                      {p.sentAt ? <LocalDateTime iso={p.sentAt} /> : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          )}
        </div>
      )}
    </section>
  );
}

/**
 * Admin: LTI 1.3 platforms (registration, the URLs for the LMS, roster sync with a preview) and the
 * grade passback log with "push now"; the log's student and lab are the URL's (`?student=&lab=`).
 */
export default async function LtiPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await searchParams;
  const [t, platforms] = await Promise.all([
    getTranslations('lti'),
    serverQuery<LtiPlatformsQuery>(LTI_PLATFORMS),
  ]);
  if (platforms.error !== null) return <ServerErrorNote message={platforms.error} />;
  return (
    <div className="space-y-5">
      <PageHeader title={t('title')} intro={t('intro')} />
      <h2 className="text-lg font-semibold">{t('platforms')}</h2>
      {platforms.data.ltiPlatforms.length === 0 && <p className="text-slate-600">{t('none')}</p>}
      {platforms.data.ltiPlatforms.map((p) => (
        <PlatformCard key={p.id} platform={p} />
      ))}
      <LtiRegisterForm />
      <Passbacks student={first(query.student)} lab={first(query.lab)} />
    </div>
  );
}
