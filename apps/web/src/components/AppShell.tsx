'use client';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { forgetCsrfToken, postJson } from '@/lib/api';
import { ME } from '@/lib/queries';
import type { Role, User } from '@/lib/types';
import { LanguageSwitch } from './LanguageSwitch';
import { ErrorNote, Loading } from './Feedback';

const MeContext = createContext<User | null>(null);

/** The signed-in user (AppShell only renders its children once one is known). */
export function useMe(): User {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() used outside the signed-in app shell');
  return me;
}

/** Renders children only for the given roles; others get a plain "not allowed" note. */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const me = useMe();
  const t = useTranslations('common');
  if (!roles.includes(me.role))
    return <p className="rounded-md bg-amber-50 p-4 text-amber-900">{t('notAllowed')}</p>;
  return <>{children}</>;
}

function navFor(role: Role): { href: string; key: string }[] {
  if (role === 'STUDENT') return [{ href: '/labs', key: 'myLabs' }];
  const items = [{ href: '/labs', key: 'scoreboards' }];
  if (role === 'ADMIN') {
    items.push(
      { href: '/admin/roster', key: 'roster' },
      { href: '/admin/labs', key: 'adminLabs' },
      { href: '/admin/webhooks', key: 'webhooks' },
    );
  }
  return items;
}

/** The brand + language switch header shared by signed-in and public pages. */
export function HeaderBar({ children }: { children?: ReactNode }) {
  const t = useTranslations('common');
  return (
    <header className="border-b border-slate-200 bg-white">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2"
      >
        {t('skipToContent')}
      </a>
      <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/" className="text-lg font-bold tracking-tight text-slate-900">
          Kubegrade
        </Link>
        <div className="flex flex-1 flex-wrap items-center gap-4">{children}</div>
        <LanguageSwitch />
      </div>
    </header>
  );
}

/** Signed-in pages: loads the user, sends strangers to /login, shows the role's navigation. */
export function AppShell({ children }: { children: ReactNode }) {
  const t = useTranslations('common');
  const tn = useTranslations('nav');
  const router = useRouter();
  const pathname = usePathname();
  const [{ data, fetching, error }, refetch] = useQuery<{ me: User | null }>({
    query: ME,
    requestPolicy: 'network-only',
  });
  const [signingOut, setSigningOut] = useState(false);
  const me = data?.me ?? null;
  const signedOut = !fetching && !error && data !== undefined && me === null;

  useEffect(() => {
    if (signedOut) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [signedOut, router, pathname]);

  async function signOut() {
    setSigningOut(true);
    try {
      await postJson('/auth/logout', {});
    } finally {
      forgetCsrfToken();
      // A full load drops every cached query and the subscription socket of the old session.
      window.location.assign('/login');
    }
  }

  return (
    <>
      <HeaderBar>
        {me && (
          <>
            <nav aria-label={tn('primary')}>
              <ul className="flex flex-wrap gap-1">
                {navFor(me.role).map((item) => {
                  const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
                  return (
                    <li key={item.href}>
                      <Link
                        href={item.href}
                        aria-current={active ? 'page' : undefined}
                        className={`rounded-md px-3 py-2 text-sm font-medium ${active ? 'bg-slate-800 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
                      >
                        {tn(item.key)}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </nav>
            <span className="ml-auto text-sm text-slate-600">
              {me.name} <span className="text-slate-500">({t(`role.${me.role}`)})</span>
            </span>
            <button
              type="button"
              onClick={signOut}
              disabled={signingOut}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
            >
              {t('signOut')}
            </button>
          </>
        )}
      </HeaderBar>
      <main id="main" className="mx-auto max-w-screen-2xl px-4 py-6">
        {error && !me ? (
          <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        ) : me ? (
          <MeContext.Provider value={me}>{children}</MeContext.Provider>
        ) : (
          <Loading />
        )}
      </main>
    </>
  );
}
