import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryResult, queryUrl } from './graphql-request';
import { ME, SCOREBOARD } from './queries';
import { loginPath } from './request-path';

describe('server-side GraphQL requests', () => {
  it('sends a query as GET with its variables, fragments included', () => {
    const url = new URL(
      queryUrl('http://127.0.0.1:4000/', SCOREBOARD, {
        labId: 'lab',
        filter: { status: 'FAIL' },
        first: 1000,
      }),
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:4000/graphql');
    const doc = parse(url.searchParams.get('query') ?? '');
    expect(doc.definitions.map((d) => ('name' in d ? d.name?.value : undefined))).toEqual([
      'Scoreboard',
      'LabFields',
      'RowFields',
    ]);
    expect(JSON.parse(url.searchParams.get('variables') ?? '')).toEqual({
      labId: 'lab',
      filter: { status: 'FAIL' },
      first: 1000,
    });
    expect(new URL(queryUrl('http://api', ME)).searchParams.has('variables')).toBe(false);
    expect(new URL(queryUrl('http://api', ME, {})).searchParams.has('variables')).toBe(false);
  });

  const answers: [string, number, string, unknown, ReturnType<typeof queryResult>][] = [
    ['data', 200, 'OK', { data: { me: null } }, { data: { me: null }, error: null }],
    [
      'GraphQL errors, joined',
      200,
      'OK',
      { data: null, errors: [{ message: 'lab not found' }, { message: 'again' }] },
      { data: null, error: 'lab not found; again' },
    ],
    [
      'errors win over partial data',
      200,
      'OK',
      { data: { a: 1 }, errors: [{ message: 'forbidden' }] },
      { data: null, error: 'forbidden' },
    ],
    [
      'an error without a message',
      400,
      'Bad Request',
      { errors: [{}] },
      { data: null, error: 'GraphQL error' },
    ],
    [
      'the REST error shape',
      403,
      'Forbidden',
      { error: { code: 'CSRF', message: 'missing CSRF token' } },
      { data: null, error: 'missing CSRF token' },
    ],
    ['not JSON', 502, 'Bad Gateway', undefined, { data: null, error: 'Bad Gateway' }],
    ['no status text', 500, '', undefined, { data: null, error: 'HTTP 500' }],
    ['no data on 200', 200, 'OK', {}, { data: null, error: 'OK' }],
  ];
  it.each(answers)('reads an answer: %s', (_name, status, statusText, body, expected) => {
    expect(queryResult(status, statusText, body)).toEqual(expected);
  });

  const paths: [string | null | undefined, string][] = [
    ['/labs/lab-1/scoreboard', '/login?next=%2Flabs%2Flab-1%2Fscoreboard'],
    ['/labs/lab-1/scoreboard?status=FAIL', '/login?next=%2Flabs%2Flab-1%2Fscoreboard%3Fstatus%3DFAIL'],
    ['/', '/login?next=%2F'],
    [null, '/login?next=%2F'],
    [undefined, '/login?next=%2F'],
    ['', '/login?next=%2F'],
  ];
  it.each(paths)('sends a stranger on %j to %j', (path, expected) => {
    expect(loginPath(path)).toBe(expected);
  });
});
