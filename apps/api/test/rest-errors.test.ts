// The REST routes' refusals as callers read them: every answer is `{ error: { code, message } }`
// from the one error handler, with the status and message each route has always given (schema
// refusals included), and refusals that come first (CSRF, sign-in, a file that is not served) before
// a bad query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
beforeAll(async () => {
  h = await setup();
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

type Answer = { status: number; code: string; message: string };
function answer(res: { statusCode: number; json(): unknown }): Answer {
  const { error } = res.json() as { error: { code: string; message: string } };
  return { status: res.statusCode, code: error.code, message: error.message };
}

describe('REST refusals', () => {
  it('a body the route cannot read: the same status and message as before the schemas', async () => {
    const cases = {
      login: answer(await as.anonymous.request('POST', '/auth/login', { email: 'not an email' })),
      setPassword: answer(
        await as.anonymous.request('POST', '/auth/set-password', {
          token: 'x'.repeat(20),
          password: 'short',
        }),
      ),
      ltiLogin: answer(
        await h.app.inject({
          method: 'GET',
          url: '/lti/login?iss=nope&login_hint=x&target_link_uri=https://x.example',
        }),
      ),
      ltiLaunch: answer(
        await h.app.inject({
          method: 'POST',
          url: '/lti/launch',
          payload: 'state=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      ),
    };
    expect(cases).toEqual({
      login: { status: 400, code: 'BAD_USER_INPUT', message: 'send { "email": "...", "password": "..." }' },
      setPassword: {
        status: 400,
        code: 'BAD_USER_INPUT',
        message: 'the password needs at least 8 characters',
      },
      ltiLogin: {
        status: 400,
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/^LTI login initiation: iss: /),
      },
      ltiLaunch: { status: 400, code: 'BAD_USER_INPUT', message: 'an LTI launch posts id_token and state' },
    });
  });

  it('the exports: sign-in and role first, then a file that is not served (404), then the query (400)', async () => {
    const bad = '?status=NOPE&stuckRuns=1';
    const cases = {
      anonymous: answer(await as.anonymous.request('GET', `/export/scoreboard/${h.labId}.csv${bad}`)),
      student: answer(await as.student.request('GET', `/export/insight/${h.labId}.csv${bad}`)),
      notCsv: answer(await as.instructor.request('GET', `/export/scoreboard/${h.labId}.txt${bad}`)),
      notAFormat: answer(await as.instructor.request('GET', '/export/gradebook/excel.csv?course=x')),
      badStatus: answer(await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv${bad}`)),
      badStuckRuns: answer(await as.instructor.request('GET', `/export/insight/${h.labId}.csv${bad}`)),
      noLab: answer(await as.instructor.request('GET', '/export/insight/no-such-lab.csv')),
      noCourse: answer(await as.instructor.request('GET', '/export/gradebook/canvas.csv?course=nope')),
    };
    expect(cases).toEqual({
      anonymous: { status: 401, code: 'UNAUTHENTICATED', message: 'sign in first' },
      student: { status: 403, code: 'FORBIDDEN', message: 'the CSV export is for instructors and admins' },
      notCsv: { status: 404, code: 'NOT_FOUND', message: 'ask for /export/scoreboard/<labId>.csv' },
      notAFormat: {
        status: 404,
        code: 'NOT_FOUND',
        message: 'ask for /export/gradebook/canvas.csv or /export/gradebook/moodle.csv',
      },
      badStatus: { status: 400, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^status: /) },
      badStuckRuns: { status: 400, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^stuckRuns: /) },
      noLab: { status: 404, code: 'NOT_FOUND', message: 'no lab "no-such-lab"' },
      noCourse: { status: 404, code: 'NOT_FOUND', message: 'no course "nope"' },
    });
  });

  it('a missing CSRF token is the same 403 on REST and on GraphQL', async () => {
    const rest = await h.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie: as.student.cookie },
    });
    const gql = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ me { id } }' },
      headers: { cookie: as.student.cookie },
    });
    const csrf = {
      status: 403,
      code: 'CSRF',
      message: 'missing or wrong CSRF token: GET /auth/csrf and send it as the x-csrf-token header',
    };
    expect({ rest: answer(rest), gql: answer(gql) }).toEqual({ rest: csrf, gql: csrf });
  });

  it('a wrong password and an unknown route', async () => {
    expect({
      login: answer(await as.anonymous.login('ann@example.edu', 'wrong password')),
      route: answer(await as.anonymous.request('GET', '/nope?x=1')),
    }).toEqual({
      login: { status: 401, code: 'INVALID_CREDENTIALS', message: 'the email or password is wrong' },
      route: { status: 404, code: 'NOT_FOUND', message: 'no route GET /nope' },
    });
  });
});
