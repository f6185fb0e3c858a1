import type { ReactNode } from 'react';
import { RoleGate } from '@/components/RoleGate';

/** A lab's scoreboard, insight, regrade and settings: instructors and admins (a student's ledger is outside). */
export default function LabStaffLayout({ children }: { children: ReactNode }) {
  return <RoleGate roles={['INSTRUCTOR', 'ADMIN']}>{children}</RoleGate>;
}
