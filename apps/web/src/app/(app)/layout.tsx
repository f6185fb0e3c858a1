import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/AppShell';
import { ServerErrorNote } from '@/components/Feedback';
import { getMe, loginPath, PATH_HEADER } from '@/lib/session';

/** Every signed-in page shares the header and navigation; strangers are sent to /login. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const result = await getMe();
  if (result.error !== null)
    return (
      <AppShell me={null}>
        <ServerErrorNote message={result.error} />
      </AppShell>
    );
  if (!result.data.me) redirect(loginPath((await headers()).get(PATH_HEADER)));
  return <AppShell me={result.data.me}>{children}</AppShell>;
}
