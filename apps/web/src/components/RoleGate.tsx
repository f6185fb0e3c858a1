import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { allowed, requireMe } from '@/lib/session';
import type { Role } from '@/lib/types';

/** Server layouts' role check: the pages below render only for `roles`, others get a plain note. */
export async function RoleGate({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const me = await requireMe();
  if (allowed(me, roles)) return <>{children}</>;
  const t = await getTranslations('common');
  return <p className="rounded-md bg-amber-50 p-4 text-amber-900">{t('notAllowed')}</p>;
}
