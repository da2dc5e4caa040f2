import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type GraphQLFieldResolver, GraphQLObjectType } from 'graphql';
import type { UserRow } from '../db/IdentityStore';
import { exceedQuota } from '../errors';
import type { Context } from '../graphql/context';
import { createLogger } from '../logger';
import type { Services } from '../Services';
import { handleGraphql } from './graphqlHandler';

const USER = { id: 'u1', username: 'alice' } as UserRow;

/** A small schema with resolvers that succeed, fail as PrimeHub fails, fail unexpectedly, or list a lot. */
function testSchema() {
  const schema = buildSchema(`
    type Query { me: User, quota: String, boom: String, listed(n: Int!): Int, nested: Nested, rows(first: Int): [Nested] }
    type Mutation { touch: Int! }
    type User { id: ID! username: String }
    type Nested { child: Nested, leaf: Int }
  `);
  const resolvers: Record<string, GraphQLFieldResolver<unknown, Context>> = {
    me: (_s, _a, ctx) => ({ id: ctx.user.id, username: ctx.user.username }),
    quota: () => {
      throw exceedQuota('User Cpu Quota exceeded');
    },
    boom: () => {
      throw new Error('disk on fire');
    },
    listed: (_s, args: { n: number }, ctx) => {
      ctx.budget.take(args.n);
      return args.n;
    },
    nested: () => ({ child: { child: {} }, leaf: 1 }),
    rows: () => []
  };
  const query = schema.getType('Query') as GraphQLObjectType;
  for (const [name, resolve] of Object.entries(resolvers)) {
    query.getFields()[name].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  }
  return schema;
}

describe('handleGraphql', () => {
  let server: Server;
  let url: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const services = {
      identity: { userByToken: (t: string) => (t === 'good' ? USER : undefined) }
    } as unknown as Services;
    const log = createLogger('error', line => logged.push(line));
    const schema = testSchema();
    server = createServer((req, res) => {
      handleGraphql(req, res, schema, services, log).catch(err => {
        res.writeHead(599).end(String(err));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/graphql`;
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  const post = async (body: string, opts: { token?: string | null; type?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' };
    if (opts.token !== null) {
      headers.authorization = `Bearer ${opts.token ?? 'good'}`;
    }
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const query = (q: string, variables?: unknown) => post(JSON.stringify({ query: q, variables }));
  const refusal = (status: number, message: string | RegExp, code: string) => ({
    status,
    body: {
      errors: [
        { message: typeof message === 'string' ? message : expect.stringMatching(message), extensions: { code } }
      ]
    }
  });

  test('answers a JSON or a form-urlencoded request (the SDK sends forms)', async () => {
    expect(await query('{ me { id username } }')).toEqual({
      status: 200,
      body: { data: { me: { id: 'u1', username: 'alice' } } }
    });
    const form = new URLSearchParams({ query: 'query ($n: Int!) { listed(n: $n) }', variables: '{"n": 3}' });
    expect(await post(form.toString(), { type: 'application/x-www-form-urlencoded' })).toEqual({
      status: 200,
      body: { data: { listed: 3 } }
    });
  });

  test('malformed requests are 400 REQUEST_BODY_INVALID', async () => {
    expect(await post('{nope')).toEqual(refusal(400, 'request body is not valid JSON', 'REQUEST_BODY_INVALID'));
    expect(await post('{"variables":{}}')).toEqual(refusal(400, 'POST body missing a "query"', 'REQUEST_BODY_INVALID'));
    expect(await post('{"query":"{ me { id } }","variables":[1]}')).toEqual(
      refusal(400, 'variables must be an object', 'REQUEST_BODY_INVALID')
    );
    expect(await post('query=x', { type: 'text/plain' })).toEqual(
      refusal(400, /^send GraphQL requests as application\/json/, 'REQUEST_BODY_INVALID')
    );
  });

  test('a missing or unknown token fails the context with 500, as on PrimeHub', async () => {
    expect(await post('{"query":"{ me { id } }"}', { token: null })).toEqual(
      refusal(500, 'Context creation failed: request not authorized', 'INTERNAL_SERVER_ERROR')
    );
    expect(await post('{"query":"{ me { id } }"}', { token: 'bad' })).toEqual(
      refusal(500, 'Context creation failed: Invalid API Token', 'INTERNAL_SERVER_ERROR')
    );
  });

  test('syntax errors, unknown fields and bad variables are 400s', async () => {
    expect(await query('{ me { id ')).toEqual(refusal(400, /^Syntax Error/, 'GRAPHQL_PARSE_FAILED'));
    expect(await query('{ license }')).toEqual(
      refusal(400, 'Cannot query field "license" on type "Query".', 'GRAPHQL_VALIDATION_FAILED')
    );
    expect(await query('query ($n: Int!) { listed(n: $n) }', { n: 'x' })).toEqual(
      refusal(400, /^Variable "\$n" got invalid value "x"/, 'GRAPHQL_VALIDATION_FAILED')
    );
  });

  test('documents over the token, depth or cost limit are refused before they run', async () => {
    expect(await query(`{ ${'me { id } '.repeat(400)} }`)).toEqual(
      refusal(400, 'Syntax Error: Document contains more that 1500 tokens. Parsing aborted.', 'GRAPHQL_PARSE_FAILED')
    );
    let deep = 'leaf';
    for (let i = 0; i < 9; i++) {
      deep = `child { ${deep} }`;
    }
    expect(await query(`{ nested { ${deep} } }`)).toEqual(
      refusal(400, 'query is nested too deeply: the depth limit of 8 exceeded, found 11.', 'GRAPHQL_VALIDATION_FAILED')
    );
    expect(await query('{ rows(first: 90000) { leaf } }')).toEqual({ status: 200, body: { data: { rows: [] } } });
    const tooCostly = refusal(
      400,
      /^query is too costly: its estimated cost is 120001, the limit is 100000/,
      'GRAPHQL_VALIDATION_FAILED'
    );
    expect(await query('{ rows(first: 120000) { leaf } }')).toEqual(tooCostly);
    // Priced before the rest of validation: a costly document is refused without the full walk.
    expect(await query('{ rows(first: 120000) { leaf nope } }')).toEqual(tooCostly);
  });

  test('a request over the cap on listed entries is one 400, with no partial data', async () => {
    expect(await query('{ a: listed(n: 6000) b: listed(n: 4000) }')).toEqual({
      status: 200,
      body: { data: { a: 6000, b: 4000 } }
    });
    expect(await query('{ a: listed(n: 6000) b: listed(n: 4001) me { id } }')).toEqual(
      refusal(400, /^this request lists more than 10000 entries/, 'REQUEST_BODY_INVALID')
    );
  });

  test('resolver errors: PrimeHub codes kept, anything else INTERNAL_SERVER_ERROR and logged', async () => {
    expect(await query('{ quota me { id } }')).toEqual({
      status: 200,
      body: {
        errors: [{ message: 'User Cpu Quota exceeded', extensions: { code: 'EXCEED_QUOTA' } }],
        data: { quota: null, me: { id: 'u1' } }
      }
    });
    expect(await query('{ boom }')).toEqual({
      status: 200,
      body: {
        errors: [{ message: 'disk on fire', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        data: { boom: null }
      }
    });
    expect(logged.join('')).toMatch(/resolver failed at boom: Error: disk on fire/);
  });
});
