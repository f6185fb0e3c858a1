import type { ReactNode } from 'react';
import { AppShell } from '@/components/AppShell';

/** Every signed-in page shares the header, navigation and the "who am I" check. */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <AppShell>{children}</AppShell>;
}
