'use client';
import { useLocale, useTranslations } from 'next-intl';
import { evidenceTable } from '@/lib/evidence';
import { DataTable } from './DataTable';

/**
 * A field path in the reader's words ("期望 › 容量" for found.capacity in Chinese) above the path
 * itself as code; English shows the path alone (the grader's field names are English already).
 */
function FieldName({ path }: { path: string }) {
  const t = useTranslations('evidence');
  const locale = useLocale();
  const words = path.split('.').map((seg) => {
    const bare = seg.replace(/\[\d+\]$/, '');
    return t.has(`fields.${bare}`) ? t(`fields.${bare}`) : seg;
  });
  if (locale !== 'zh-CN' || words.join('.') === path) return <code lang="en">{path}</code>;
  return (
    <>
      <span className="block font-sans">{words.join(' › ')}</span>
      <code lang="en" className="block text-[11px] font-normal text-slate-600" title={t('code')}>
        {path}
      </code>
    </>
  );
}

/**
 * A value cell: booleans in the reader's words; a status the API spells (Bound, Pending...) as the
 * cluster wrote it, with its meaning after it in Chinese; everything else as the cluster wrote it.
 */
function Value({ text }: { text: string | null }) {
  const t = useTranslations('evidence');
  const locale = useLocale();
  if (text === 'true') return <>{t('yes')}</>;
  if (text === 'false') return <>{t('no')}</>;
  if (text && locale === 'zh-CN' && /^[A-Za-z]+$/.test(text) && t.has(`values.${text}`)) {
    return (
      <>
        {text}
        <span className="font-sans text-slate-600">（{t(`values.${text}`)}）</span>
      </>
    );
  }
  return <>{text ?? '—'}</>;
}

/** A check's evidence as an expected-vs-found table, mismatches marked in words and colour. */
export function EvidenceTable({ evidence, caption }: { evidence: unknown; caption: string }) {
  const t = useTranslations('run');
  const locale = useLocale();
  const { rows, details } = evidenceTable(evidence, locale);
  if (rows.length === 0 && details.length === 0)
    return <p className="text-sm text-slate-600">{t('noEvidence')}</p>;
  return (
    <div className="space-y-3">
      {rows.length > 0 && (
        <DataTable label={caption} tableClassName="w-full border-collapse text-left text-sm">
          <thead>
            <tr className="border-b border-slate-300 text-slate-700">
              <th scope="col" className="py-1.5 pr-3 font-semibold">
                {t('field')}
              </th>
              <th scope="col" className="py-1.5 pr-3 font-semibold">
                {t('expected')}
              </th>
              <th scope="col" className="py-1.5 pr-3 font-semibold">
                {t('found')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.field}
                className={`border-b border-slate-200 align-top ${r.matches === false ? 'bg-red-50' : ''}`}
              >
                <th scope="row" className="py-1.5 pr-3 font-mono text-xs font-medium text-slate-800">
                  <FieldName path={r.field} />
                </th>
                <td className="min-w-32 py-1.5 pr-3 font-mono text-xs [overflow-wrap:anywhere]">
                  <Value text={r.expected} />
                </td>
                <td className="min-w-32 py-1.5 pr-3 font-mono text-xs [overflow-wrap:anywhere]">
                  <Value text={r.found} />
                  {r.matches === false && (
                    <span className="ml-2 font-sans font-semibold text-red-800">✗ {t('mismatch')}</span>
                  )}
                  {r.matches === true && (
                    <span className="ml-2 font-sans text-green-800">✓ {t('match')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      {details.length > 0 && (
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {details.map((d) => (
            <div key={d.field} className="contents">
              <dt className="font-mono text-xs text-slate-700">
                <FieldName path={d.field} />
              </dt>
              <dd className="font-mono text-xs [overflow-wrap:anywhere]">
                <Value text={d.value} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
