// Who may call each GraphQL operation: the ONE place role rules live. Resolvers are wrapped with
// `guard` in plugins/graphql.ts; a schema field without a rule makes the server refuse to start.
// Per-object rules (a student sees only their own enrollment) are checked in the resolvers with
// the helpers in access.ts, on top of these.
import { ApiError } from '../lib/errors.ts';
import type { SessionUser } from '../types.ts';

/** public: anyone; signedIn: any role; student/staff/admin as named (admin counts as staff). */
export type Rule = 'public' | 'signedIn' | 'student' | 'staff' | 'admin';

/** The rule of every Query, Mutation and Subscription field. */
export const rules: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Rule>> = {
  Query: {
    me: 'public',
    labs: 'signedIn',
    lab: 'signedIn',
    myLabs: 'signedIn',
    runs: 'signedIn',
    run: 'signedIn',
    scoreboard: 'staff',
    enrollments: 'staff',
    webhooks: 'admin',
    auditLog: 'admin',
  },
  Mutation: {
    submitRun: 'student',
    regrade: 'staff',
    cancelRun: 'staff',
    importRoster: 'staff',
    setLabEnabled: 'admin',
    setLabDisruptive: 'admin',
    createWebhook: 'admin',
    rotateWebhookSecret: 'admin',
    revokeWebhook: 'admin',
  },
  Subscription: {
    runProgress: 'signedIn',
    scoreboardChanged: 'staff',
  },
};

/** Whether the user is an instructor or admin. */
export function isStaff(user: SessionUser | null): boolean {
  return user?.role === 'INSTRUCTOR' || user?.role === 'ADMIN';
}

/** Throws UNAUTHENTICATED or FORBIDDEN unless `user` satisfies `rule`. */
export function guard(rule: Rule, user: SessionUser | null, operation: string): void {
  if (rule === 'public') return;
  if (!user) throw new ApiError('UNAUTHENTICATED', `sign in to use ${operation}`);
  const ok =
    rule === 'signedIn' ||
    (rule === 'student' && user.role === 'STUDENT') ||
    (rule === 'staff' && isStaff(user)) ||
    (rule === 'admin' && user.role === 'ADMIN');
  if (!ok) {
    const who = rule === 'student' ? 'students' : rule === 'staff' ? 'instructors and admins' : 'admins';
    throw new ApiError('FORBIDDEN', `${operation} is for ${who} only`);
  }
}
