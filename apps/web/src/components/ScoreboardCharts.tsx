'use client';
import { memo } from 'react';
import { useLocale, useTranslations } from 'next-intl';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { pick } from '@/i18n/locales';
import { trim } from '@/lib/format';
import type { CheckPassRate, ScoreBucket } from '@/lib/types';

/** Long check titles are cut for the axis; the tooltip and the table keep them whole. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Pass rate per check (where the class is stuck) and the score distribution, each with a table fallback. */
export const ScoreboardCharts = memo(function ScoreboardCharts({
  passRates,
  distribution,
}: {
  passRates: CheckPassRate[];
  distribution: ScoreBucket[];
}) {
  const t = useTranslations('scoreboard');
  const locale = useLocale();
  const rateData = passRates.map((r) => ({
    name: pick(r.title, locale),
    rate: Math.round(r.rate * 1000) / 10,
    passed: r.passed,
    graded: r.graded,
  }));
  const distData = distribution.map((b) => ({ name: `${trim(b.from)}–${trim(b.to)}`, count: b.count }));
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <figure className="rounded-lg border border-slate-200 bg-white p-4">
        <figcaption className="mb-2 font-semibold">{t('passRateChart')}</figcaption>
        {/* The chart is drawn for eyes only: inert keeps its SVG out of the tab order; the table says it. */}
        <div className="h-56" aria-hidden="true" inert>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rateData} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
              <YAxis
                type="category"
                dataKey="name"
                width={190}
                interval={0}
                tick={{ fontSize: 12 }}
                tickFormatter={(name: string) => shorten(name, 30)}
              />
              <Tooltip formatter={(v) => [`${String(v)}%`, t('passRate')]} />
              <Bar dataKey="rate" fill="#15803d" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        {/* A table ignores width: 1px, so the visually hidden box is a div around it (phones scrolled sideways). */}
        <div className="sr-only">
          <table>
            <caption>{t('passRateChart')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('check')}</th>
                <th scope="col">{t('passRate')}</th>
              </tr>
            </thead>
            <tbody>
              {rateData.map((r) => (
                <tr key={r.name}>
                  <th scope="row">{r.name}</th>
                  <td>
                    {r.rate}% ({r.passed}/{r.graded})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
      <figure className="rounded-lg border border-slate-200 bg-white p-4">
        <figcaption className="mb-2 font-semibold">{t('distributionChart')}</figcaption>
        {/* The chart is drawn for eyes only: inert keeps its SVG out of the tab order; the table says it. */}
        <div className="h-56" aria-hidden="true" inert>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={distData} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} barCategoryGap={1}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="name" tick={{ fontSize: 12 }} />
              <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={36} />
              <Tooltip formatter={(v) => [String(v), t('students')]} />
              <Bar dataKey="count" fill="#1d4ed8" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        {/* A table ignores width: 1px, so the visually hidden box is a div around it (phones scrolled sideways). */}
        <div className="sr-only">
          <table>
            <caption>{t('distributionChart')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('scoreRange')}</th>
                <th scope="col">{t('students')}</th>
              </tr>
            </thead>
            <tbody>
              {distData.map((b) => (
                <tr key={b.name}>
                  <th scope="row">{b.name}</th>
                  <td>{b.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
    </div>
  );
});
