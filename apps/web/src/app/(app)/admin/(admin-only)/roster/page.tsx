import { getTranslations } from 'next-intl/server';
import { PageHeader } from '@/components/PageHeader';
import { RosterImportForm } from '@/components/RosterImportForm';

/** Admin: import the class roster from CSV, with a dry-run preview before anything changes. */
export default async function RosterPage() {
  const t = await getTranslations('roster');
  return (
    <div className="space-y-5">
      <PageHeader title={t('title')} intro={t('intro')} />
      <RosterImportForm />
    </div>
  );
}
