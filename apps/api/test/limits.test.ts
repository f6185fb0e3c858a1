// The limits an attacker or a big class runs into: GraphQL aliases, depth and cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, validate, type DocumentNode } from 'graphql';
import * as webQueries from '../../web/src/lib/queries.ts';
import type { FastifyInstance } from 'fastify';
import { Agent, agents, setup, type Harness } from './helpers.ts';
import { buildServer } from '../src/server.ts';
import { loadConfig } from '../src/config.ts';
import { schemaSDL } from '../src/plugins/graphql.ts';
import { limitRules, QUERY_LIMITS } from '../src/graphql/limits.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
beforeAll(async () => {
  h = await setup();
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

type Refusal = { status: number; codes: (string | undefined)[]; message: string };
async function post(agent: (typeof as)['student'], query: string): Promise<Refusal> {
  const res = await agent.request('POST', '/graphql', { query });
  const body = res.json() as { errors?: { message: string; extensions?: { code?: string } }[] };
  return {
    status: res.statusCode,
    codes: (body.errors ?? []).map((e) => e.extensions?.code),
    message: (body.errors ?? []).map((e) => e.message).join(' '),
  };
}

describe('GraphQL query limits', () => {
  it(`a query with more aliases than the limit (${QUERY_LIMITS.aliases}) is refused before anything runs`, async () => {
    const query = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const out = await post(as.student, query);
    expect({
      status: out.status,
      code: out.codes[0],
      says: /Aliases limit of 15 exceeded/.test(out.message),
    }).toEqual({ status: 400, code: 'QUERY_TOO_COMPLEX', says: true });
  });

  it('aliases up to the limit are answered', async () => {
    const query = `{ ${Array.from({ length: QUERY_LIMITS.aliases }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const res = await as.student.request('POST', '/graphql', { query });
    expect({ status: res.statusCode, errors: (res.json() as { errors?: unknown }).errors }).toEqual({
      status: 200,
      errors: undefined,
    });
  });

  it('a query nested deeper than the limit is refused (introspection included)', async () => {
    let sel = 'name';
    for (let i = 0; i < 6; i++) sel = `fields { type { ${sel} } }`;
    const out = await post(as.student, `{ __schema { types { ${sel} } } }`);
    expect({
      status: out.status,
      coded: out.codes.includes('QUERY_TOO_COMPLEX'),
      says: /depth limit of 10 exceeded/.test(out.message),
    }).toEqual({ status: 400, coded: true, says: true });
  });

  it('a query costing more than the limit is refused', async () => {
    const hook =
      'webhooks { id name url scopeKind labs namespaces active createdAt activeSecrets deliveries(first: 50) { id deliveryId outcome reason runIds receivedAt } }';
    const query = `{ ${Array.from({ length: QUERY_LIMITS.aliases }, (_, i) => `a${i}: ${hook}`).join(' ')} }`;
    const out = await post(as.admin, query);
    expect({
      status: out.status,
      code: out.codes[0],
      says: /Query Cost limit of 5000 exceeded/.test(out.message),
    }).toEqual({ status: 400, code: 'QUERY_TOO_COMPLEX', says: true });
  });

  it('a document with more tokens than the limit (5,000 aliases) is refused while parsing', async () => {
    const query = `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const out = await post(as.student, query);
    expect({ status: out.status, says: /more that 5000 tokens/.test(out.message) }).toEqual({
      status: 400,
      says: true,
    });
  });

  it('every operation the web app sends is within the limits', () => {
    const schema = buildSchema(schemaSDL);
    const docs = Object.entries(webQueries).filter(
      (e): e is [string, DocumentNode] => (e[1] as DocumentNode)?.kind === 'Document',
    );
    const refused = docs.flatMap(([name, doc]) =>
      validate(schema, doc, limitRules()).map((e) => `${name}: ${e.message}`),
    );
    expect({ operations: docs.length > 10, refused }).toEqual({ operations: true, refused: [] });
  });
});

describe('what anonymous callers learn about the schema in production', () => {
  let prod: FastifyInstance;
  beforeAll(async () => {
    const env = {
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(48),
      WEBHOOK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: '1000',
    };
    prod = await buildServer(loadConfig(env, { databaseUrl: h.testDb.url }), { logger: false });
    await prod.ready();
  });
  afterAll(async () => {
    await prod?.close();
  });

  const INTROSPECT = '{ __schema { queryType { name } types { name } } }';

  it('introspection is refused to anonymous callers, answered once signed in', async () => {
    const anon = await new Agent(prod).gql<{ __schema?: unknown }>(INTROSPECT);
    const signedIn = new Agent(prod);
    await signedIn.login('teacher@example.edu');
    const staff = await signedIn.gql<{ __schema?: { queryType: { name: string } } }>(INTROSPECT);
    // Again anonymously: the document is now in mercurius's cache, and still refused.
    const again = await new Agent(prod).gql<{ __schema?: unknown }>(INTROSPECT);
    expect({
      anon: anon.data?.__schema ?? null,
      anonSays: anon.errors?.[0]?.message,
      staff: staff.data?.__schema?.queryType.name,
      again: again.data?.__schema ?? null,
    }).toEqual({
      anon: null,
      anonSays: 'sign in to introspect the schema',
      staff: 'Query',
      again: null,
    });
  });

  it('"Did you mean" suggestions are not given to anonymous callers', async () => {
    const anon = await new Agent(prod).gql('{ mee { id } }');
    const signedIn = new Agent(prod);
    await signedIn.login('teacher@example.edu');
    const staff = await signedIn.gql('{ mee { id } }');
    expect({
      anon: anon.errors?.map((e) => e.message),
      staffSuggests: /Did you mean "me"\?/.test(staff.errors?.[0]?.message ?? ''),
    }).toEqual({
      anon: ['Cannot query field "mee" on type "Query".'],
      staffSuggests: true,
    });
  });

  it('a malformed request gets a plain 400', async () => {
    const a = new Agent(prod);
    const answers = [];
    for (const payload of [
      { query: 123 },
      { query: ['{ me { id } }'] },
      { query: '{ me { id } }', operationName: 7 },
      {},
    ]) {
      const res = await a.request('POST', '/graphql', payload);
      answers.push({
        status: res.statusCode,
        code: (res.json() as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
        internals: /context\.|getDocument|is not iterable/.test(res.body),
      });
    }
    expect(answers).toEqual(
      Array.from({ length: 4 }, () => ({ status: 400, code: 'BAD_USER_INPUT', internals: false })),
    );
  });
});
