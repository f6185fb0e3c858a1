import type { ReactNode } from 'react';
import { RoleGate } from '@/components/RoleGate';

/** Roster, labs, webhooks, events and LTI: admins only. */
export default function AdminOnlyLayout({ children }: { children: ReactNode }) {
  return <RoleGate roles={['ADMIN']}>{children}</RoleGate>;
}
