import type { ReactNode } from 'react';
import { RoleGate } from '@/components/RoleGate';

/** /admin/*: staff only (API tokens are for instructors too; the rest is in (admin-only)). */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return <RoleGate roles={['INSTRUCTOR', 'ADMIN']}>{children}</RoleGate>;
}
