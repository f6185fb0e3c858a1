// Who a signed-in user is allowed to act for, outside the GraphQL rule map (graphql/rules.ts):
// REST routes and resolvers both ask these.
import type { Enrollment } from '@kubegrade/db';
import { ApiError } from './errors.ts';
import type { SessionUser } from '../types.ts';

/** Whether the user is an instructor or admin. */
export function isStaff(user: SessionUser | null): boolean {
  return user?.role === 'INSTRUCTOR' || user?.role === 'ADMIN';
}

/** Students may touch only their own enrollments; staff any. */
export function assertOwnsEnrollment(user: SessionUser | null, enrollment: Pick<Enrollment, 'userId'>): void {
  if (isStaff(user)) return;
  if (!user || enrollment.userId !== user.id)
    throw new ApiError('FORBIDDEN', 'this belongs to another student');
}
