import {
  AuthError,
  FeatureUnavailableError,
  GraphqlError,
  HttpError,
  NetworkError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TimeoutError,
  ValidationError
} from './errors';
import { MockAgent } from 'undici';
import { startServer, TestServer } from './testing/httpServer';
import { ENDPOINT, MockPrimeHub, ORIGIN, recordingLogger, TOKEN } from './testing/mockPrimeHub';
import { PrimeHubClient } from './node/PrimeHubClient';

const JOB = {
  id: 'job-1',
  displayName: 'train',
  cancel: false,
  command: 'echo hi',
  groupId: 'g-1',
  groupName: 'phusers',
  schedule: null,
  image: 'base-notebook',
  instanceType: null,
  userId: 'u',
  userName: 'alice',
  phase: 'Running',
  reason: null,
  message: null,
  createTime: null,
  startTime: null,
  finishTime: null
};

describe('GraphQL request format', () => {
  let ph: MockPrimeHub;
  beforeEach(() => {
    ph = new MockPrimeHub();
  });
  afterEach(() => ph.close());

  it('posts JSON with the bearer token, operation name and variables', async () => {
    ph.data('JobGet', { phJob: JOB });
    const job = await ph.client().jobs.get('job-1');
    expect(job.id).toBe('job-1');
    const req = ph.seen[0];
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.operationName).toBe('JobGet');
    expect(req.variables).toEqual({ where: { id: 'job-1' } });
    expect(req.query).toMatch(/^query JobGet\(\$where: PhJobWhereUniqueInput!\)/);
  });

  it('calls getToken for every request', async () => {
    ph.data('Me', { me: { id: 'u', username: 'alice', firstName: null, lastName: null, email: null, isAdmin: false } });
    let n = 0;
    const client = ph.client({ token: undefined, getToken: async () => `dyn-token-${++n}` });
    await client.me.get();
    await client.me.get();
    expect(ph.seen.map(s => s.headers.authorization)).toEqual(['Bearer dyn-token-1', 'Bearer dyn-token-2']);
  });
});

describe('error mapping of the real PrimeHub shapes (primehub-api.md §2)', () => {
  let ph: MockPrimeHub;
  beforeEach(() => {
    ph = new MockPrimeHub().withGroups();
  });
  afterEach(() => ph.close());

  it('HTTP 500 "Context creation failed" → AuthError, never retried', async () => {
    ph.on('Me', {
      status: 500,
      body: {
        errors: [
          { message: 'Context creation failed: Invalid API Token', extensions: { code: 'INTERNAL_SERVER_ERROR' } }
        ]
      }
    });
    const err = await ph
      .client()
      .me.get()
      .catch(e => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.status).toBe(500);
    expect(err.message).toContain('Invalid API Token');
    expect(ph.calls('Me')).toBe(1);
  });

  it('onAuthError hears every refused token once, from any API, and the call still rejects', async () => {
    const refused = { status: 500, body: { errors: [{ message: 'Context creation failed: Invalid API Token' }] } };
    ph.on('Me', refused).on('JobGet', refused);
    const heard: string[] = [];
    const client = ph.client({ onAuthError: e => heard.push(e.code) });
    await expect(client.me.get()).rejects.toBeInstanceOf(AuthError);
    await expect(client.jobs.get('job-1')).rejects.toBeInstanceOf(AuthError);
    ph.data('Me', { me: { id: 'u', username: 'alice', firstName: null, lastName: null, email: null, isAdmin: false } });
    await client.me.get();
    expect(heard).toEqual(['AUTH_FAILED', 'AUTH_FAILED']);
  });

  it('200 "Not Authorised!" with partial data → PermissionError keeping data', async () => {
    ph.on('Groups', {
      body: {
        errors: [{ message: 'Not Authorised!', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        data: { me: null }
      }
    });
    const err = await ph
      .client()
      .groups.list()
      .catch(e => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.data).toEqual({ me: null });
    expect(err.errors[0].message).toBe('Not Authorised!');
    expect(ph.calls('Groups')).toBe(1);
  });

  it('NOT_AUTH → PermissionError', async () => {
    ph.on('JobGet', { body: { errors: [{ message: 'user not auth', extensions: { code: 'NOT_AUTH' } }], data: null } });
    await expect(ph.client().jobs.get('job-1')).rejects.toBeInstanceOf(PermissionError);
  });

  it('EXCEED_QUOTA → QuotaError (mutation, not retried)', async () => {
    ph.on('JobSubmit', {
      body: { errors: [{ message: 'User Cpu Quota exceeded', extensions: { code: 'EXCEED_QUOTA' } }], data: null }
    });
    const err = await ph
      .client()
      .jobs.submit({ displayName: 'x', instanceType: 'cpu-1', image: 'base-notebook', command: 'echo' })
      .catch(e => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect(err.code).toBe('QUOTA_EXCEEDED');
    expect(err.serverCode).toBe('EXCEED_QUOTA');
    expect(err.message).toContain('User Cpu Quota exceeded');
    expect(ph.calls('JobSubmit')).toBe(1);
  });

  it('"HTTP request failed" on a by-id call → NotFoundError', async () => {
    ph.on('JobGet', {
      body: { errors: [{ message: 'HTTP request failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], data: null }
    });
    const err = await ph
      .client()
      .jobs.get('bad')
      .catch(e => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('NOT_FOUND');
    expect(ph.calls('JobGet')).toBe(1);
  });

  it('"HTTP request failed" on a list is not a not-found', async () => {
    ph.on('JobList', {
      body: { errors: [{ message: 'HTTP request failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], data: null }
    });
    const err = await ph
      .client()
      .jobs.list()
      .catch(e => e);
    expect(err).toBeInstanceOf(GraphqlError);
    expect(err).not.toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['RESOURCE_NOT_FOUND code', { message: 'deployment not found', extensions: { code: 'RESOURCE_NOT_FOUND' } }],
    [
      'K8s message',
      { message: 'phdeployments.primehub.io "dep-x" not found', extensions: { code: 'INTERNAL_SERVER_ERROR' } }
    ]
  ])('%s → NotFoundError', async (_label, error) => {
    ph.on('DeploymentGet', { body: { errors: [error], data: null } });
    await expect(ph.client().deployments.get('dep-x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['RESOURCE_DOES_NOT_EXIST', NotFoundError],
    ['MLFLOW_SETTING_NOT_FOUND', FeatureUnavailableError],
    ['PERMISSION_DENIED', PermissionError],
    ['INVALID_PARAMETER_VALUE', ValidationError]
  ])("the models fields' %s (MLflow's or PrimeHub's) → its class", async (code, cls) => {
    ph.withGroups().on('QueryModel', {
      body: { errors: [{ message: `said ${code}`, extensions: { code } }], data: null }
    });
    const err = await ph
      .client()
      .models.get('iris')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toMatchObject({ serverCode: code, message: `QueryModel: said ${code}` });
  });

  it('HTTP 400 GRAPHQL_VALIDATION_FAILED → FeatureUnavailableError, and edition() is "ce"', async () => {
    ph.on('License', {
      status: 400,
      body: {
        errors: [
          {
            message: 'Cannot query field "license" on type "Query".',
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }
          }
        ]
      }
    });
    const client = ph.client();
    const err = await client.license().catch(e => e);
    expect(err).toBeInstanceOf(FeatureUnavailableError);
    expect(err.code).toBe('FEATURE_UNAVAILABLE');
    expect(err.status).toBe(400);
    expect(await client.edition()).toBe('ce');
    expect(await client.edition()).toBe('ce');
    expect(ph.calls('License')).toBe(2); // license() once, edition() once (then cached)
  });

  it('edition() is "ee" when license answers', async () => {
    ph.data('License', {
      license: {
        licensedTo: 'x',
        licenseStatus: 'unexpired',
        startedAt: null,
        expiredAt: null,
        maxUser: -1,
        maxGroup: -1,
        maxNode: -1,
        maxModelDeploy: -1,
        usage: null
      }
    });
    expect(await ph.client().edition()).toBe('ee');
  });

  it('other 400s → ValidationError', async () => {
    ph.on('Me', {
      status: 400,
      body: { errors: [{ message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] }
    });
    await expect(ph.client().me.get()).rejects.toBeInstanceOf(ValidationError);
  });

  it('RESOURCE_CONFLICT → ConflictError', async () => {
    ph.on('ScheduleDelete', {
      body: { errors: [{ message: 'conflict', extensions: { code: 'RESOURCE_CONFLICT' } }], data: null }
    });
    await expect(ph.client().schedules.delete('s')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('retries', () => {
  let ph: MockPrimeHub;
  beforeEach(() => {
    ph = new MockPrimeHub().withGroups();
  });
  afterEach(() => ph.close());

  const unavailable = { status: 503, body: { message: 'unavailable' } };
  const ok = { body: { data: { phJob: JOB } } };

  it('retries a query on 5xx with backoff, then succeeds', async () => {
    ph.on('JobGet', (_v, n) => (n < 3 ? unavailable : ok));
    const job = await ph.client().jobs.get('job-1');
    expect(job.id).toBe('job-1');
    expect(ph.calls('JobGet')).toBe(3);
  });

  it('gives up after `retries` and throws the last error', async () => {
    ph.on('JobGet', unavailable);
    const err = await ph
      .client({ retry: { retries: 2, baseDelayMs: 1 } })
      .jobs.get('job-1')
      .catch(e => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(503);
    expect(ph.calls('JobGet')).toBe(3);
  });

  it('never retries a mutation', async () => {
    ph.on('JobCancel', unavailable);
    await expect(ph.client().jobs.cancel('job-1')).rejects.toBeInstanceOf(HttpError);
    expect(ph.calls('JobCancel')).toBe(1);
  });

  it('never retries a 4xx', async () => {
    ph.on('JobGet', { status: 400, body: { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] } });
    await expect(ph.client().jobs.get('job-1')).rejects.toBeInstanceOf(ValidationError);
    expect(ph.calls('JobGet')).toBe(1);
  });

  it('retries network errors of reads', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: '/api/graphql', method: 'POST' })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .times(2);
    pool
      .intercept({ path: '/api/graphql', method: 'POST' })
      .reply(200, { data: { phJob: JOB } }, { headers: { 'content-type': 'application/json' } });
    const log = recordingLogger();
    const client = new PrimeHubClient({
      endpoint: ENDPOINT,
      token: TOKEN,
      dispatcher: agent,
      logger: log,
      retry: { baseDelayMs: 1 }
    });
    expect((await client.jobs.get('job-1')).id).toBe('job-1');
    expect(log.lines.filter(l => l.includes('retrying GraphQL JobGet'))).toHaveLength(2);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('does not retry after an abort during backoff, rethrowing the abort reason', async () => {
    ph.on('JobGet', unavailable);
    const ac = new AbortController();
    const client = ph.client({ retry: { retries: 5, baseDelayMs: 200, maxDelayMs: 200 } });
    const p = client.jobs.get('job-1', { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await p.catch(e => e);
    expect(err).toBe(ac.signal.reason);
    expect(err.name).toBe('AbortError');
    expect(ph.calls('JobGet')).toBe(1);
  });

  it('errors keep the response headers (without set-cookie)', async () => {
    ph.on('JobGet', { ...unavailable, headers: { 'x-request-id': 'r-42', 'set-cookie': 'session=secret' } });
    const err = await ph
      .client({ retry: false })
      .jobs.get('job-1')
      .catch(e => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.headers).toMatchObject({ 'x-request-id': 'r-42', 'content-type': 'application/json' });
    expect(err.headers['set-cookie']).toBeUndefined();
  });

  it('honours Retry-After on 429 and 503: waits at least that long before the retry', async () => {
    const at: number[] = [];
    ph.on('JobGet', (_v, n) => {
      at.push(Date.now());
      return n < 2 ? { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '1' } } : ok;
    });
    const job = await ph.client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } }).jobs.get('job-1');
    expect(job.id).toBe('job-1');
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(950);
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs: the error goes to the caller', async () => {
    ph.on('JobGet', { status: 503, body: { message: 'maintenance' }, headers: { 'retry-after': '3600' } });
    const started = Date.now();
    const err = await ph
      .client({ retry: { retries: 3, baseDelayMs: 1 } })
      .jobs.get('job-1')
      .catch(e => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.headers['retry-after']).toBe('3600');
    expect(ph.calls('JobGet')).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('can be disabled', async () => {
    ph.on('JobGet', unavailable);
    await expect(ph.client({ retry: false }).jobs.get('job-1')).rejects.toBeInstanceOf(HttpError);
    expect(ph.calls('JobGet')).toBe(1);
  });
});

describe('abort and timeouts (real sockets)', () => {
  let server: TestServer;
  let client: PrimeHubClient;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url?.startsWith('/slow')) {
        return; // never answers
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { me: { id: 'u', username: 'a' } } }));
    });
  });
  afterAll(() => server.close());
  afterEach(() => client?.close());

  it('a caller abort rejects with the original reason, untouched', async () => {
    client = new PrimeHubClient({
      endpoint: `${server.url}/slow/graphql`,
      token: TOKEN,
      proxy: false,
      retry: { baseDelayMs: 1 }
    });
    const ac = new AbortController();
    const reason = new DOMException('user cancelled', 'AbortError');
    const p = client.me.get({ signal: ac.signal });
    setTimeout(() => ac.abort(reason), 30);
    await expect(p).rejects.toBe(reason);
  });

  it('an already-aborted signal rejects immediately with its reason', async () => {
    client = new PrimeHubClient({ endpoint: `${server.url}/api/graphql`, token: TOKEN, proxy: false });
    const ac = new AbortController();
    ac.abort();
    await expect(client.me.get({ signal: ac.signal })).rejects.toBe(ac.signal.reason);
  });

  it('our own timeout becomes TimeoutError (retried for reads, then thrown)', async () => {
    const log = recordingLogger();
    client = new PrimeHubClient({
      endpoint: `${server.url}/slow/graphql`,
      token: TOKEN,
      proxy: false,
      timeoutMs: 50,
      retry: { retries: 1, baseDelayMs: 1 },
      logger: log
    });
    const err = await client.me.get().catch(e => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.name).toBe('TimeoutError');
    expect(log.lines.some(l => l.includes('retrying'))).toBe(true);
  });

  it('one timeout owner: the client timeoutMs, whatever the transport would have used (30 s before)', async () => {
    client = new PrimeHubClient({
      endpoint: `${server.url}/slow/graphql`,
      token: TOKEN,
      proxy: false,
      timeoutMs: 60,
      retry: false
    });
    const err = await client.me.get().catch(e => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('GraphQL Me timed out after 60 ms');
  });

  it('connection refused → NetworkError', async () => {
    const s = await startServer(() => undefined);
    const url = s.url;
    await s.close();
    client = new PrimeHubClient({ endpoint: `${url}/api/graphql`, token: TOKEN, proxy: false, retry: false });
    const err = await client.me.get().catch(e => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.status).toBe(0);
  });
});

describe('redaction', () => {
  let ph: MockPrimeHub;
  beforeEach(() => {
    ph = new MockPrimeHub().withGroups();
  });
  afterEach(() => ph.close());

  it('never puts the token in error messages, errors[] or log lines', async () => {
    const log = recordingLogger();
    ph.on('JobGet', {
      status: 502,
      body: { errors: [{ message: `upstream rejected Bearer ${TOKEN} and token=${TOKEN}`, extensions: { code: 'X' } }] }
    });
    const err = await ph
      .client({ logger: log })
      .jobs.get('job-1')
      .catch(e => e);
    expect(err).toBeInstanceOf(HttpError);
    const everything = [err.message, JSON.stringify(err.errors), String(err.stack), ...log.lines].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(err.message).toContain('[REDACTED]');
    expect(log.lines.length).toBeGreaterThan(0);
  });

  it('redacts tokens obtained from getToken too', async () => {
    ph.on('Me', {
      status: 500,
      body: { errors: [{ message: 'Context creation failed: bad token dynamic-secret-9' }] }
    });
    const err = await ph
      .client({ token: undefined, getToken: () => 'dynamic-secret-9' })
      .me.get()
      .catch(e => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).not.toContain('dynamic-secret-9');
  });

  it('redacts deployment client tokens and Basic credentials', async () => {
    ph.data('createPhDeploymentClient', {
      createPhDeploymentClient: { name: 'c1', plainTextToken: 'client-token-777' }
    });
    ph.on('DeploymentGet', {
      body: { errors: [{ message: 'leak client-token-777 Basic YWxhZGRpbjpvcGVuc2VzYW1l' }], data: null }
    });
    const client = ph.client();
    const created = await client.deployments.clients.create('dep-1', 'c1');
    expect(created.plainTextToken).toBe('client-token-777');
    const err = await client.deployments.get('dep-1').catch(e => e);
    expect(err.message).not.toContain('client-token-777');
    expect(err.message).not.toContain('YWxhZGRpbjpvcGVuc2VzYW1l');
  });
});

it('rejects a non-http endpoint', () => {
  expect(() => new PrimeHubClient({ endpoint: 'ftp://x/api/graphql' })).toThrow(ValidationError);
  expect(ENDPOINT).toMatch(/^http/);
});

describe('logging', () => {
  it('a logger that is a class instance gets every request at debug level', async () => {
    class ChannelLogger {
      readonly lines: string[] = [];
      debug(message: string): void {
        this.lines.push(`debug ${message}`);
      }
      info(message: string): void {
        this.lines.push(`info ${message}`);
      }
    }
    const ph = new MockPrimeHub();
    try {
      ph.data('JobGet', { phJob: JOB });
      const logger = new ChannelLogger();
      await ph.client({ logger }).jobs.get('job-1');
      expect(logger.lines.some(l => l.startsWith('debug ') && l.includes('JobGet'))).toBe(true);
      expect(logger.lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await ph.close();
    }
  });
});
