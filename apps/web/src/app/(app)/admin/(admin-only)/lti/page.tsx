'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { CopyButton } from '@/components/CopyButton';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass, TextField } from '@/components/forms/fields';
import { formatDateTime } from '@/lib/format';
import {
  CREATE_LTI_PLATFORM,
  ENROLLMENT_SEARCH,
  LTI_PASSBACKS,
  LTI_PLATFORMS,
  PUSH_LTI_SCORE,
  SYNC_LTI_ROSTER,
} from '@/lib/queries';
import type { LtiPlatform, LtiScorePush, RosterImportResult } from '@/lib/types';
import { ScrollRegion } from '@/components/DataTable';

const FIELDS = [
  'name',
  'course',
  'issuer',
  'clientId',
  'deploymentId',
  'authLoginUrl',
  'authTokenUrl',
  'jwksUrl',
] as const;
type Field = (typeof FIELDS)[number];

function RegisterForm({ onDone }: { onDone: () => void }) {
  const t = useTranslations('lti');
  const [values, setValues] = useState<Record<Field, string>>({
    name: '',
    course: '',
    issuer: '',
    clientId: '',
    deploymentId: '',
    authLoginUrl: '',
    authTokenUrl: '',
    jwksUrl: '',
  });
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation(CREATE_LTI_PLATFORM);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const { course, ...rest } = values;
    const res = await create({
      input: {
        ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.trim()])),
        courseSlug: course.trim(),
      },
    });
    if (res.error) return setError(errorMessage(res.error));
    onDone();
  }
  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="lti-register-heading"
    >
      <h2 id="lti-register-heading" className="text-lg font-semibold">
        {t('register')}
      </h2>
      <div className="grid gap-3 md:grid-cols-2">
        {FIELDS.map((f) => (
          <TextField
            key={f}
            id={`lti-${f}`}
            label={t(f)}
            required
            maxLength={2000}
            value={values[f]}
            onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
          />
        ))}
      </div>
      <button type="submit" className={buttonClass.primary} disabled={state.fetching}>
        {t('registerButton')}
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}

function RosterSync({ platform }: { platform: LtiPlatform }) {
  const t = useTranslations('lti');
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, sync] = useMutation<{ syncLtiRoster: RosterImportResult }>(SYNC_LTI_ROSTER);
  const run = async (dryRun: boolean) => {
    setError(null);
    const res = await sync({ platformId: platform.id, dryRun });
    if (res.error) return setError(errorMessage(res.error));
    setResult(res.data?.syncLtiRoster ?? null);
  };
  if (!platform.membershipsUrl) return <p className="text-sm text-slate-600">{t('rosterNoUrl')}</p>;
  return (
    <div className="space-y-2">
      <div className="flex gap-2">
        <button
          type="button"
          className={buttonClass.secondary}
          disabled={state.fetching}
          onClick={() => run(true)}
        >
          {t('preview')}
        </button>
        <button
          type="button"
          className={buttonClass.primary}
          disabled={state.fetching || !result?.dryRun}
          onClick={() => run(false)}
        >
          {t('apply')}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
      {result && (
        <ScrollRegion
          label={t(result.dryRun ? 'previewTitle' : 'appliedTitle', {
            created: result.created,
            updated: result.updated,
            unchanged: result.unchanged,
          })}
          testId="lti-roster-result"
        >
          <p className="font-medium">
            {t(result.dryRun ? 'previewTitle' : 'appliedTitle', {
              created: result.created,
              updated: result.updated,
              unchanged: result.unchanged,
            })}
          </p>
          <table className="mt-1 w-full text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300">
                {(['action', 'email', 'name', 'studentId', 'namespace'] as const).map((k) => (
                  <th key={k} scope="col" className="py-1 pr-4">
                    {t(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.changes.map((c) => (
                <tr key={c.line} className="border-b border-slate-200">
                  <td className="py-1 pr-4">{c.action}</td>
                  <td className="py-1 pr-4">{c.email}</td>
                  <td className="py-1 pr-4">{c.name}</td>
                  <td className="py-1 pr-4">{c.studentId ?? '—'}</td>
                  <td className="py-1 pr-4 font-mono">{c.namespace}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.errors.length > 0 && (
            <div className="mt-2 text-sm text-red-900">
              <p className="font-medium">{t('errors')}</p>
              <ul className="list-disc pl-5">
                {result.errors.map((e) => (
                  <li key={e.line}>
                    {e.line}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </ScrollRegion>
      )}
    </div>
  );
}

function PlatformCard({ platform }: { platform: LtiPlatform }) {
  const t = useTranslations('lti');
  const locale = useLocale();
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
          {formatDateTime(platform.createdAt, locale)}
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
        <RosterSync platform={platform} />
      </div>
    </section>
  );
}

function Passbacks() {
  const t = useTranslations('lti');
  const locale = useLocale();
  const client = useClient();
  const [search, setSearch] = useState('');
  const [labId, setLabId] = useState('');
  const [enrollment, setEnrollment] = useState<{ id: string; label: string } | null>(null);
  const [pushes, setPushes] = useState<LtiScorePush[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, push] = useMutation(PUSH_LTI_SCORE);

  async function show(e?: FormEvent) {
    e?.preventDefault();
    setError(null);
    const found = await client
      .query<{ enrollments: { id: string; namespace: string; user: { name: string; email: string } }[] }>(
        ENROLLMENT_SEARCH,
        { search: search.trim() },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    const first = found.data?.enrollments[0];
    if (found.error || !first) return setError(found.error ? errorMessage(found.error) : t('noPushes'));
    setEnrollment({ id: first.id, label: `${first.user.name} · ${first.namespace}` });
    const res = await client
      .query<{ ltiPassbacks: LtiScorePush[] }>(
        LTI_PASSBACKS,
        { enrollmentId: first.id, labId: labId.trim() },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (res.error) return setError(errorMessage(res.error));
    setPushes(res.data?.ltiPassbacks ?? []);
  }

  return (
    <section
      aria-labelledby="lti-passbacks-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id="lti-passbacks-heading" className="text-lg font-semibold">
        {t('passbacks')}
      </h2>
      <p className="text-sm text-slate-700">{t('passbacksIntro')}</p>
      <form onSubmit={show} className="flex flex-wrap items-end gap-3">
        <TextField
          id="lti-student"
          label={t('student')}
          required
          value={search}
          placeholder={t('search')}
          onChange={(e) => setSearch(e.target.value)}
        />
        <TextField
          id="lti-lab"
          label={t('lab')}
          controlClass="font-mono"
          required
          value={labId}
          onChange={(e) => setLabId(e.target.value)}
        />
        <button type="submit" className={buttonClass.secondary}>
          {t('show')}
        </button>
        {enrollment && (
          <button
            type="button"
            className={buttonClass.primary}
            onClick={async () => {
              setError(null);
              const res = await push({ enrollmentId: enrollment.id, labId: labId.trim() });
              if (res.error) return setError(errorMessage(res.error));
              await show();
            }}
          >
            {t('pushNow')}
          </button>
        )}
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
      {enrollment && pushes && (
        <ScrollRegion label={enrollment.label}>
          <p className="text-sm font-medium">{enrollment.label}</p>
          {pushes.length === 0 ? (
            <p className="text-sm text-slate-600">{t('noPushes')}</p>
          ) : (
            <table className="mt-1 w-full text-left text-sm" data-testid="lti-passbacks">
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
                {pushes.map((p) => (
                  <tr key={p.id} className="border-b border-slate-200">
                    <td className="py-1 pr-4 tabular-nums">{formatDateTime(p.createdAt, locale)}</td>
                    <td className="py-1 pr-4 font-semibold">{t(`pushStatus.${p.status}`)}</td>
                    <td className="py-1 pr-4 tabular-nums">
                      {p.scoreGiven === null ? '—' : `${p.scoreGiven}/${p.scoreMaximum ?? '?'}`}
                    </td>
                    <td className="py-1 pr-4 tabular-nums">{p.statusCode ?? '—'}</td>
                    <td className="max-w-xs truncate py-1 pr-4" title={p.error ?? undefined}>
                      {p.error ?? '—'}
                    </td>
                    <td className="py-1 pr-4 tabular-nums">
                      {p.sentAt ? formatDateTime(p.sentAt, locale) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ScrollRegion>
      )}
    </section>
  );
}

function LtiAdmin() {
  const t = useTranslations('lti');
  const [{ data, error }, refetch] = useQuery<{ ltiPlatforms: LtiPlatform[] }>({ query: LTI_PLATFORMS });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (error && !data) return <ErrorNote error={error} onRetry={reload} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="text-slate-700">{t('intro')}</p>
      <h2 className="text-lg font-semibold">{t('platforms')}</h2>
      {data.ltiPlatforms.length === 0 && <p className="text-slate-600">{t('none')}</p>}
      {data.ltiPlatforms.map((p) => (
        <PlatformCard key={p.id} platform={p} />
      ))}
      <RegisterForm onDone={reload} />
      <Passbacks />
    </div>
  );
}

/** Admin: LTI 1.3 platforms (registration, the URLs for the LMS, roster sync with a preview) and the grade passback log with "push now". */
export default function LtiPage() {
  return <LtiAdmin />;
}
