'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import type { MyLab } from '@/lib/types';
import { LiveLabPanel } from './LiveLabPanel';
import { StudentLabCard } from './StudentLabCard';

/** A student's labs (as the server page fetched them), each with its card and live panel; a finished run renders the page again. */
export function StudentLabs({ labs }: { labs: MyLab[] }) {
  const t = useTranslations('labs');
  const router = useRouter();
  const refresh = useCallback(() => router.refresh(), [router]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="text-slate-700">{t('intro')}</p>
      {labs.length === 0 && <p className="text-slate-600">{t('none')}</p>}
      {labs.map((item) => (
        <div key={item.lab.id} className="space-y-3">
          <StudentLabCard item={item} onFinished={refresh} />
          <LiveLabPanel labId={item.lab.id} />
        </div>
      ))}
    </div>
  );
}
