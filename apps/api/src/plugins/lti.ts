// LTI 1.3 routes: GET|POST /lti/login (OIDC third-party login initiation), POST /lti/launch (the
// platform's form_post of the id_token; the student arrives signed in on their labs) and GET
// /lti/jwks (the tool's public keys, for the platform's token endpoint). The form body parser lives
// in this plugin's own scope. CSRF does not apply: the platform's signed id_token and the one-time
// state are what authenticate these cross-site posts (auth.ts exempts /lti/).
import fp from 'fastify-plugin';
import { z } from 'zod';
import { audit } from '../lib/audit.ts';
import { launchUser, loginInitiation, rememberLineItem, toolJwks, verifyLaunch } from '../lib/lti.ts';
import { fieldMessages, fixedMessage, zodRoutes } from '../lib/routes.ts';
import { signIn, toSessionUser } from '../lib/sign-in.ts';

const FORM_LIMIT = 64 * 1024;

const loginParams = z.object({
  iss: z.string().url().max(500),
  login_hint: z.string().min(1).max(2000),
  target_link_uri: z.string().url().max(2000),
  client_id: z.string().max(500).optional(),
  lti_message_hint: z.string().max(4000).optional(),
  lti_deployment_id: z.string().max(500).optional(),
});
const launchParams = z.object({
  id_token: z.string().min(10).max(FORM_LIMIT),
  state: z.string().min(10).max(200),
});

/** Registers the LTI routes. */
export default fp(
  async (app) => {
    const { config, db } = app;
    const redirectUri = `${config.apiPublicUrl}/lti/launch`;
    await zodRoutes(app, (scope) => {
      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: FORM_LIMIT },
        (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        },
      );

      const loginRefused = (errors: Parameters<typeof fieldMessages>[0], dataVar: string) =>
        new Error(`LTI login initiation: ${fieldMessages(errors, dataVar).message}`);
      scope.get(
        '/lti/login',
        { schema: { querystring: loginParams }, schemaErrorFormatter: loginRefused },
        async (request, reply) => reply.redirect(await loginInitiation(db, request.query, redirectUri), 302),
      );
      scope.post(
        '/lti/login',
        { schema: { body: loginParams }, schemaErrorFormatter: loginRefused },
        async (request, reply) => reply.redirect(await loginInitiation(db, request.body, redirectUri), 302),
      );

      scope.post(
        '/lti/launch',
        {
          schema: { body: launchParams },
          schemaErrorFormatter: fixedMessage('an LTI launch posts id_token and state'),
        },
        async (request, reply) => {
          const launch = await verifyLaunch(db, request.body.id_token, request.body.state);
          const { userId, identityId } = await launchUser(db, launch);
          const lab = launch.labId ? await db.lab.findUnique({ where: { id: launch.labId } }) : null;
          if (lab && launch.lineItemUrl) await rememberLineItem(db, identityId, lab.id, launch.lineItemUrl);
          const user = toSessionUser(await db.user.findUniqueOrThrow({ where: { id: userId } }));
          await signIn(request, user);
          await audit(db, {
            actor: user,
            action: 'auth.login',
            subject: `user:${user.id}`,
            after: { ip: request.ip, method: 'lti', platform: launch.platform.id, lab: lab?.id ?? null },
          });
          return reply.redirect(
            `${config.publicUrl}/labs${lab ? `#lab-${encodeURIComponent(lab.id)}` : ''}`,
            303,
          );
        },
      );

      scope.get('/lti/jwks', async () => toolJwks(db, config.webhookKey));
    });
  },
  { name: 'lti', dependencies: ['config', 'db', 'auth'] },
);
