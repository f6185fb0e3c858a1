import type { ReactNode } from 'react';
import { HeaderBar } from '@/components/AppShell';

/** Sign-in pages: just the brand and the language switch. */
export default function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <HeaderBar />
      <main id="main" className="mx-auto max-w-md px-4 py-10">
        {children}
      </main>
    </>
  );
}
