'use client';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { forgetCsrfToken, postJson } from '@/lib/api';
import type { Role, User } from '@/lib/types';
import { LanguageSwitch } from './LanguageSwitch';

const MeContext = createContext<User | null>(null);

/** The signed-in user (the server layout renders pages only once one is known). */
export function useMe(): User {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() used outside the signed-in app shell');
  return me;
}

function navFor(role: Role): { href: string; key: string }[] {
  if (role === 'STUDENT') return [{ href: '/labs', key: 'myLabs' }];
  const items = [{ href: '/labs', key: 'scoreboards' }];
  if (role === 'ADMIN') {
    items.push(
      { href: '/admin/roster', key: 'roster' },
      { href: '/admin/labs', key: 'adminLabs' },
      { href: '/admin/webhooks', key: 'webhooks' },
      { href: '/admin/events', key: 'events' },
      { href: '/admin/lti', key: 'lti' },
    );
  }
  items.push({ href: '/admin/tokens', key: 'apiTokens' });
  return items;
}

/**
 * The brand + language switch header shared by signed-in and public pages. Below the md breakpoint
 * (phones) the rest (navigation, user, sign out) folds into a menu behind a button.
 */
export function HeaderBar({ children }: { children?: ReactNode }) {
  const t = useTranslations('common');
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);
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
        {children ? (
          <>
            <div
              id="header-menu"
              data-open={open}
              className={`${open ? 'flex' : 'hidden'} order-last w-full flex-col items-start gap-3 border-t border-slate-200 pt-3 md:order-none md:flex md:w-auto md:flex-1 md:flex-row md:flex-wrap md:items-center md:gap-4 md:border-0 md:pt-0`}
            >
              {children}
            </div>
            <div className="ml-auto flex items-center gap-2 md:ml-0">
              <LanguageSwitch />
              <button
                type="button"
                aria-expanded={open}
                aria-controls="header-menu"
                onClick={() => setOpen((o) => !o)}
                className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 md:hidden"
                data-testid="menu-button"
              >
                <span aria-hidden="true">☰ </span>
                {t('menu')}
              </button>
            </div>
          </>
        ) : (
          <div className="ml-auto">
            <LanguageSwitch />
          </div>
        )}
      </div>
    </header>
  );
}

/**
 * Signed-in pages: the role's navigation, the user and sign out around the page. The server layout
 * (src/app/(app)/layout.tsx) has asked the api who `me` is and sent strangers to /login; `me` is
 * null only when that question failed (the layout then passes the error note as children).
 */
export function AppShell({ me, children }: { me: User | null; children: ReactNode }) {
  const t = useTranslations('common');
  const tn = useTranslations('nav');
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);

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
            <span className="text-sm text-slate-600 md:ml-auto">
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
        <MeContext.Provider value={me}>{children}</MeContext.Provider>
      </main>
    </>
  );
}
