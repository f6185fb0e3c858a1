'use client';
import { useTranslations } from 'next-intl';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClassInsightQuery } from '@/lib/graphql.generated';

/**
 * Runs and passed runs per day (recharts draws in the browser). The page has the same as a table,
 * so the chart is hidden from assistive technology and inert (recharts makes its surface focusable).
 */
export function InsightByDayChart({ byDay }: { byDay: ClassInsightQuery['classInsight']['byDay'] }) {
  const t = useTranslations('insight');
  return (
    <div className="h-64" aria-hidden="true" inert>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={byDay}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="runs" name={t('runs')} fill="#1d4ed8" />
          <Bar dataKey="passedRuns" name={t('passedRuns')} fill="#15803d" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
