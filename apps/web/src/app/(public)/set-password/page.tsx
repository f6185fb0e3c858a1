import { getTranslations } from 'next-intl/server';
import { SetPasswordForm } from '@/components/SetPasswordForm';

/** The page a new student reaches from the one-time link the roster import produced (`?token=`). */
export default async function SetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  if (typeof token !== 'string' || !token) {
    const t = await getTranslations('setPassword');
    return (
      <p role="alert" className="rounded-md bg-red-50 p-4 text-red-900">
        {t('missingToken')}
      </p>
    );
  }
  return <SetPasswordForm token={token} />;
}
