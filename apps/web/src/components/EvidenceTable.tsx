'use client';
import { useTranslations } from 'next-intl';
import { evidenceTable } from '@/lib/evidence';

/** A check's evidence as an expected-vs-found table, mismatches marked in words and colour. */
export function EvidenceTable({ evidence, caption }: { evidence: unknown; caption: string }) {
  const t = useTranslations('run');
  const { rows, details } = evidenceTable(evidence);
  if (rows.length === 0 && details.length === 0)
    return <p className="text-sm text-slate-600">{t('noEvidence')}</p>;
  return (
    <div className="space-y-3">
      {rows.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-left text-sm">
            <caption className="sr-only">{caption}</caption>
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
                    {r.field}
                  </th>
                  <td className="break-all py-1.5 pr-3 font-mono text-xs">{r.expected ?? '—'}</td>
                  <td className="break-all py-1.5 pr-3 font-mono text-xs">
                    {r.found ?? '—'}
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
          </table>
        </div>
      )}
      {details.length > 0 && (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          {details.map((d) => (
            <div key={d.field} className="contents">
              <dt className="font-mono text-xs text-slate-700">{d.field}</dt>
              <dd className="break-all font-mono text-xs">{d.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
