// Who may call each GraphQL operation: the ONE place role rules live. Resolvers are wrapped with
// `guard` in plugins/graphql.ts; a schema field without a rule makes the server refuse to start.
// Per-object rules (a student sees only their own enrollment) are checked in the resolvers with
// the helpers in lib/access.ts, on top of these. Token scopes are checked with lib/api-tokens.ts.
import { ApiError } from '../lib/errors.ts';
import { isStaff } from '../lib/access.ts';
import type { TokenScope } from '../lib/api-tokens.ts';
import type { SessionUser } from '../types.ts';

/** public: anyone; signedIn: any role; student/staff/admin as named (admin counts as staff). */
export type Rule = 'public' | 'signedIn' | 'student' | 'staff' | 'admin';

/** The rule of every Query, Mutation and Subscription field. */
export const rules: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Rule>> = {
  Query: {
    classInsight: 'staff',
    regradePreview: 'staff',
    scoreLedger: 'signedIn',
    labExtensions: 'staff',
    courses: 'staff',
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
    apiTokens: 'staff',
    eventEndpoints: 'admin',
    ltiPlatforms: 'admin',
    ltiPassbacks: 'staff',
  },
  Mutation: {
    previewRegrade: 'staff',
    applyRegradePreview: 'staff',
    setCheckPoints: 'staff',
    setLabSchedule: 'staff',
    setExtension: 'staff',
    removeExtension: 'staff',
    adjustScore: 'staff',
    setCourseTimeZone: 'staff',
    submitRun: 'student',
    regrade: 'staff',
    cancelRun: 'staff',
    importRoster: 'staff',
    setLabEnabled: 'admin',
    setLabDisruptive: 'admin',
    setLabLive: 'staff',
    createWebhook: 'admin',
    rotateWebhookSecret: 'admin',
    retirePreviousWebhookSecrets: 'admin',
    revokeWebhook: 'admin',
    createApiToken: 'staff',
    revokeApiToken: 'staff',
    createEventEndpoint: 'admin',
    rotateEventEndpointSecret: 'admin',
    revokeEventEndpoint: 'admin',
    redeliverEvent: 'admin',
    createLtiPlatform: 'admin',
    syncLtiRoster: 'admin',
    pushLtiScore: 'staff',
  },
  Subscription: {
    runProgress: 'signedIn',
    scoreboardChanged: 'staff',
    liveLab: 'student',
  },
};

/**
 * Which API token scopes open each operation, on top of the rule above (a token acts as its creator,
 * narrowed to its scopes). An empty list: sessions only (tokens never mint tokens or touch
 * webhooks, and subscriptions are for browsers).
 */
export const tokenRules: Record<'Query' | 'Mutation' | 'Subscription', Record<string, TokenScope[]>> = {
  Query: {
    classInsight: ['scoreboard:read'],
    regradePreview: ['regrade:write'],
    scoreLedger: ['scoreboard:read'],
    labExtensions: ['scoreboard:read'],
    courses: ['scoreboard:read', 'roster:write'],
    me: ['scoreboard:read', 'runs:read', 'regrade:write', 'roster:write'],
    labs: ['scoreboard:read', 'runs:read', 'regrade:write'],
    lab: ['scoreboard:read', 'runs:read', 'regrade:write'],
    myLabs: [],
    // regrade:write follows the runs it started (`kubegrade remote regrade --wait`).
    runs: ['runs:read', 'regrade:write'],
    run: ['runs:read', 'regrade:write'],
    scoreboard: ['scoreboard:read'],
    enrollments: ['roster:write'],
    webhooks: [],
    auditLog: [],
    apiTokens: [],
    eventEndpoints: [],
    ltiPlatforms: [],
    ltiPassbacks: ['scoreboard:read'],
  },
  Mutation: {
    previewRegrade: ['regrade:write'],
    applyRegradePreview: ['regrade:write'],
    setCheckPoints: [],
    setLabSchedule: [],
    setExtension: ['roster:write'],
    removeExtension: ['roster:write'],
    adjustScore: [],
    setCourseTimeZone: [],
    submitRun: [],
    regrade: ['regrade:write'],
    cancelRun: ['regrade:write'],
    importRoster: ['roster:write'],
    setLabEnabled: [],
    setLabDisruptive: [],
    setLabLive: [],
    createWebhook: [],
    rotateWebhookSecret: [],
    retirePreviousWebhookSecrets: [],
    revokeWebhook: [],
    createApiToken: [],
    revokeApiToken: [],
    createEventEndpoint: [],
    rotateEventEndpointSecret: [],
    revokeEventEndpoint: [],
    redeliverEvent: [],
    createLtiPlatform: [],
    syncLtiRoster: [],
    pushLtiScore: [],
  },
  Subscription: {
    runProgress: [],
    scoreboardChanged: [],
    liveLab: [],
  },
};

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
