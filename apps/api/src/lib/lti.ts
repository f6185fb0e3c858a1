// LTI 1.3 (IMS Security Framework + Core): the tool's RSA key (sealed at rest, public half at
// /lti/jwks), OIDC third-party login initiation, and the launch: the platform's id_token verified
// with `jose` against the platform's JWKS (issuer, audience, nonce, deployment, message type and
// version), the student bound to their roster account, and the lab's AGS line item remembered so
// finished runs post their score (apps/worker/src/lti-scores.ts).
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { ltiServiceToken, type LtiPlatform, type PrismaClient } from '@kubegrade/db';
import { seal } from './crypto.ts';
import { ApiError } from './errors.ts';
import { toCsv } from './csv.ts';

/** The claims of an LTI 1.3 launch this tool reads. */
export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

/** How long a login initiation waits for its launch. */
const STATE_TTL_MS = 10 * 60 * 1000;

/** The tool's public keys (a JWKS), creating the key pair on first use. */
export async function toolJwks(db: PrismaClient, key: Buffer): Promise<{ keys: JWK[] }> {
  let rows = await db.ltiKey.findMany({ orderBy: { createdAt: 'desc' }, select: { publicJwk: true } });
  if (!rows.length) {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const pub = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const priv = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
    // Two api processes starting at once: the first key wins, the other insert is ignored.
    await db.ltiKey.createMany({
      data: [{ id: kid, ...seal(key, JSON.stringify(priv)), publicJwk: pub }],
      skipDuplicates: true,
    });
    rows = await db.ltiKey.findMany({ orderBy: { createdAt: 'desc' }, select: { publicJwk: true } });
  }
  return { keys: rows.map((r) => r.publicJwk as unknown as JWK) };
}

const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function platformKeys(url: string) {
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 10_000 });
    remoteSets.set(url, set);
  }
  return set;
}

/** Step 1, login initiation: answers the platform's authorization URL to redirect to. */
export async function loginInitiation(
  db: PrismaClient,
  params: {
    iss: string;
    login_hint: string;
    target_link_uri: string;
    client_id?: string;
    lti_message_hint?: string;
    lti_deployment_id?: string;
  },
  redirectUri: string,
): Promise<string> {
  const platforms = await db.ltiPlatform.findMany({
    where: { issuer: params.iss, ...(params.client_id ? { clientId: params.client_id } : {}) },
  });
  if (platforms.length !== 1)
    throw new ApiError(
      platforms.length ? 'BAD_USER_INPUT' : 'NOT_FOUND',
      platforms.length
        ? 'several registrations for this issuer: send client_id'
        : `no LTI platform registered for issuer ${params.iss}`,
    );
  const platform = platforms[0]!;
  if (params.lti_deployment_id && params.lti_deployment_id !== platform.deploymentId)
    throw new ApiError('FORBIDDEN', 'unknown deployment id');
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  await db.ltiLaunchState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db.ltiLaunchState.create({
    data: { state, nonce, platformId: platform.id, expiresAt: new Date(Date.now() + STATE_TTL_MS) },
  });
  const url = new URL(platform.authLoginUrl);
  const q: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: redirectUri,
    login_hint: params.login_hint,
    state,
    nonce,
  };
  if (params.lti_message_hint) q.lti_message_hint = params.lti_message_hint;
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  return url.toString();
}

/** What a verified launch says. */
export interface Launch {
  platform: LtiPlatform;
  claims: JWTPayload & Record<string, unknown>;
  subject: string;
  email: string | null;
  labId: string | null;
  lineItemUrl: string | null;
}

/** Step 2, the launch: verifies the id_token (once per state) and answers what it says. */
export async function verifyLaunch(db: PrismaClient, idToken: string, state: string): Promise<Launch> {
  // The state is consumed whatever happens next: a launch cannot be replayed.
  const rows = await db.$queryRaw<{ nonce: string; platformId: string; expiresAt: Date }[]>`
    DELETE FROM "LtiLaunchState" WHERE "state" = ${state} RETURNING "nonce", "platformId", "expiresAt"`;
  const row = rows[0];
  if (!row || row.expiresAt < new Date())
    throw new ApiError(
      'UNAUTHENTICATED',
      'this launch expired or was already used; open the activity from your course again',
    );
  const platform = await db.ltiPlatform.findUniqueOrThrow({ where: { id: row.platformId } });
  let claims: JWTPayload & Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(idToken, platformKeys(platform.jwksUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      maxTokenAge: '10m',
    }));
  } catch (err) {
    throw new ApiError(
      'UNAUTHENTICATED',
      `the platform's id_token did not verify: ${(err as Error).message}`,
    );
  }
  if (claims.nonce !== row.nonce)
    throw new ApiError('UNAUTHENTICATED', 'the id_token answers another login (nonce)');
  if (claims[CLAIM.deploymentId] !== platform.deploymentId)
    throw new ApiError('FORBIDDEN', 'unknown deployment id');
  if (claims[CLAIM.messageType] !== 'LtiResourceLinkRequest')
    throw new ApiError('BAD_USER_INPUT', `unsupported LTI message ${String(claims[CLAIM.messageType])}`);
  if (claims[CLAIM.version] !== '1.3.0')
    throw new ApiError('BAD_USER_INPUT', 'only LTI 1.3.0 launches are supported');
  if (typeof claims.sub !== 'string' || !claims.sub)
    throw new ApiError('BAD_USER_INPUT', 'the launch has no user (anonymous launches are not supported)');
  const custom = (claims[CLAIM.custom] ?? {}) as Record<string, unknown>;
  let labId = typeof custom.lab === 'string' ? custom.lab : null;
  const target = claims[CLAIM.targetLinkUri];
  if (!labId && typeof target === 'string') {
    try {
      labId = new URL(target).searchParams.get('lab');
    } catch {
      labId = null;
    }
  }
  const ags = claims[CLAIM.ags] as { lineitem?: unknown } | undefined;
  const nrps = claims[CLAIM.nrps] as { context_memberships_url?: unknown } | undefined;
  if (
    typeof nrps?.context_memberships_url === 'string' &&
    nrps.context_memberships_url !== platform.membershipsUrl
  ) {
    await db.ltiPlatform.update({
      where: { id: platform.id },
      data: { membershipsUrl: nrps.context_memberships_url },
    });
  }
  return {
    platform,
    claims,
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email.normalize('NFKC').trim().toLowerCase() : null,
    labId,
    lineItemUrl: typeof ags?.lineitem === 'string' ? ags.lineitem : null,
  };
}

/**
 * The roster account of a launch: the platform user already bound, else the enrolled student of the
 * platform's course with the launch's email (bound now). Nobody off the roster gets in.
 */
export async function launchUser(
  db: PrismaClient,
  launch: Launch,
): Promise<{ userId: string; identityId: string }> {
  const bound = await db.ltiIdentity.findUnique({
    where: { platformId_subject: { platformId: launch.platform.id, subject: launch.subject } },
  });
  if (bound) return { userId: bound.userId, identityId: bound.id };
  if (!launch.email)
    throw new ApiError(
      'FORBIDDEN',
      'the platform did not share your email, so Kubegrade cannot find you on the roster; ask your instructor',
    );
  const enrollment = await db.enrollment.findFirst({
    where: { courseId: launch.platform.courseId, user: { email: launch.email } },
  });
  if (!enrollment)
    throw new ApiError(
      'FORBIDDEN',
      `${launch.email} is not on this course's roster; ask your instructor to import you`,
    );
  const identity = await db.ltiIdentity.upsert({
    where: { platformId_subject: { platformId: launch.platform.id, subject: launch.subject } },
    create: { platformId: launch.platform.id, subject: launch.subject, userId: enrollment.userId },
    update: {},
  });
  return { userId: identity.userId, identityId: identity.id };
}

/** Remembers the lab's line item for this student (scores of their finished runs go there). */
export async function rememberLineItem(
  db: PrismaClient,
  identityId: string,
  labId: string,
  lineItemUrl: string,
): Promise<void> {
  await db.ltiGradeLink.upsert({
    where: { identityId_labId: { identityId, labId } },
    create: { identityId, labId, lineItemUrl },
    update: { lineItemUrl },
  });
}

/** The NRPS scope the roster sync needs. */
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const LEARNER = /(^|#|\/)Learner$/;
const MAX_PAGES = 50;

/** One member of the course as Names and Role Provisioning lists it. */
interface Member {
  user_id: string;
  status?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  lis_person_sourcedid?: string;
  roles?: string[];
}

/** A namespace for a new student: the email's local part as an RFC 1123 label (at most 63 characters). */
export function namespaceFor(email: string): string {
  const local = email.split('@')[0] ?? '';
  const label = local
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'student';
}

/**
 * The course's active learners from the platform's Names and Role Provisioning service (every page,
 * following `Link: rel="next"`), as roster CSV (email,name,student_id,namespace). A student already
 * enrolled keeps their namespace; a new one gets the email's local part (a number appended when taken).
 */
export async function nrpsRosterCsv(
  db: PrismaClient,
  key: Buffer,
  platform: LtiPlatform,
): Promise<{ csv: string; members: Member[] }> {
  if (!platform.membershipsUrl)
    throw new ApiError(
      'CONFLICT',
      'the platform has not shared its Names and Role Provisioning URL yet: launch Kubegrade from the course once',
    );
  const token = await ltiServiceToken(db, key, platform, [NRPS_SCOPE]).catch((err: unknown) => {
    throw new ApiError(
      'BAD_USER_INPUT',
      `could not get a token from the platform: ${(err as Error).message}`,
    );
  });
  const members: Member[] = [];
  let next: string | null = platform.membershipsUrl;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    const res: Response = await fetch(next, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
      },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok)
      throw new ApiError('BAD_USER_INPUT', `the platform's membership service answered ${res.status}`);
    const body = (await res.json()) as { members?: Member[] };
    members.push(...(body.members ?? []));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  }
  const learners = members.filter(
    (m) => (m.status ?? 'Active') === 'Active' && (m.roles ?? []).some((r) => LEARNER.test(r)) && m.email,
  );
  const emails = learners.map((m) => m.email!.normalize('NFKC').trim().toLowerCase());
  const existing = await db.enrollment.findMany({
    where: { courseId: platform.courseId, user: { email: { in: emails } } },
    include: { user: { select: { email: true } } },
  });
  const taken = new Set(
    (
      await db.enrollment.findMany({ where: { courseId: platform.courseId }, select: { namespace: true } })
    ).map((e) => e.namespace),
  );
  const rows = [['email', 'name', 'student_id', 'namespace']];
  for (const [i, m] of learners.entries()) {
    const email = emails[i]!;
    let ns = existing.find((e) => e.user.email === email)?.namespace;
    if (!ns) {
      const base = namespaceFor(email);
      ns = base;
      for (let n = 2; taken.has(ns); n++) ns = `${base.slice(0, 60)}-${n}`;
      taken.add(ns);
    }
    const name = m.name ?? ([m.given_name, m.family_name].filter(Boolean).join(' ') || email);
    rows.push([email, name, m.lis_person_sourcedid ?? '', ns]);
  }
  return { csv: toCsv(rows), members: learners };
}

/** Binds each learner's platform user id to their account (so a launch without an email finds them). */
export async function bindMembers(db: PrismaClient, platform: LtiPlatform, members: Member[]): Promise<void> {
  for (const m of members) {
    const user = await db.user.findUnique({
      where: { email: m.email!.normalize('NFKC').trim().toLowerCase() },
      select: { id: true },
    });
    if (!user) continue;
    await db.ltiIdentity.upsert({
      where: { platformId_subject: { platformId: platform.id, subject: m.user_id } },
      create: { platformId: platform.id, subject: m.user_id, userId: user.id },
      update: {},
    });
  }
}
