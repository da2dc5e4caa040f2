import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CLI, LocalServerProcess } from '../kit/localServer';
import { readServerHealth } from '../../shared-client/src';
import { gql, gqlOk, submitJob, waitForJob } from '../kit/http';

/** The GraphQL wire protocol as PrimeHub's clients meet it: auth, errors, identity, pagination. */
describe('PrimeHub Local GraphQL API', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '4'] });
  });

  afterAll(async () => {
    await server.dispose();
  });

  test('health and the /api redirect', async () => {
    const health = await fetch(`${server.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    // PrimeHub Local says it is, and that it has no console pages (API token, job) a client could link to
    const body = await health.json();
    expect(body).toMatchObject({ status: 'ok', server: 'primehub-local', console: false });
    expect(readServerHealth(body)).toEqual({ primeHubLocal: true, console: false });
    expect((await fetch(`${server.baseUrl}/console/api-token`)).status).toBe(404);
    const root = await fetch(`${server.baseUrl}/api/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/api/graphql');
  });

  test('the default user config is in the SDK format, mode 0600', () => {
    const file = `${server.dataDir}/config.json`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(config).sort()).toEqual(['api-token', 'endpoint', 'group']);
    expect(config.endpoint).toBe(server.endpoint);
    expect(config.group).toEqual({ id: server.groupId, name: 'phusers', displayName: 'PrimeHub Users' });
    // Only the token's hash is stored.
    expect(readFileSync(`${server.dataDir}/primehub.db`).includes(Buffer.from(config['api-token']))).toBe(false);
  });

  test('the database and its -wal and -shm files are mode 0600 too', () => {
    for (const name of ['primehub.db', 'primehub.db-wal', 'primehub.db-shm']) {
      expect([name, statSync(`${server.dataDir}/${name}`).mode & 0o777]).toEqual([name, 0o600]);
    }
  });

  test('token --expires-in out of range is a usage error, with no stack trace and no token', () => {
    for (const value of ['1e15', '0', '1.5', '-1', 'soon']) {
      const res = spawnSync(
        process.execPath,
        [CLI, 'token', '--user', 'phuser', '--expires-in', value, '--data-dir', server.dataDir],
        { encoding: 'utf8', timeout: 30_000 }
      );
      expect([value, res.status, res.stdout]).toEqual([value, 2, '']);
      expect(res.stderr).toMatch(/^primehub-local: .*(lifetime|expires-in)/);
      expect(res.stderr).not.toMatch(/ {4}at /);
    }
  });

  test('me with effective groups, quotas, instance types and images', async () => {
    const data = await gqlOk(
      server.endpoint,
      server.token,
      `{ me { id username isAdmin effectiveGroups { id name displayName quotaCpu quotaGpu quotaMemory projectQuotaCpu projectQuotaGpu projectQuotaMemory
        instanceTypes { id name displayName description cpuLimit memoryLimit gpuLimit global tolerations { key } }
        images { id name displayName type useImagePullSecret } datasets { id } } } }`
    );
    expect(data.me).toMatchObject({ username: 'phuser', isAdmin: false });
    const [group] = data.me.effectiveGroups;
    expect(group).toMatchObject({
      id: server.groupId,
      name: 'phusers',
      quotaCpu: null,
      projectQuotaCpu: null,
      datasets: []
    });
    expect(group.instanceTypes.map((i: { name: string }) => i.name)).toEqual(['cpu-1', 'cpu-2', 'gpu-1']);
    expect(group.instanceTypes[0]).toMatchObject({
      id: 'cpu-1',
      cpuLimit: 1,
      memoryLimit: 1,
      gpuLimit: 0,
      tolerations: []
    });
    expect(group.instanceTypes[2]).toMatchObject({ gpuLimit: 1 });
    expect(group.images.map((i: { name: string }) => i.name)).toEqual(['base-notebook', 'pytorch-1', 'tf-2']);
  });

  test('group(where: {id}) for members, with its users; admin-only fields refused', async () => {
    const data = await gqlOk(
      server.endpoint,
      server.token,
      `{ group(where: { id: "${server.groupId}" }) { name users { username } } }`
    );
    expect(data.group.users.map((u: { username: string }) => u.username)).toEqual(['phadmin', 'phuser']);

    const refused = await gql(server.endpoint, server.token, '{ groups { id name } }');
    expect(refused.status).toBe(200);
    expect(refused.body.errors).toEqual([
      { message: 'Not Authorised!', extensions: { code: 'INTERNAL_SERVER_ERROR' } }
    ]);

    const admin = server.cli('token', '--user', 'phadmin');
    const groups = await gqlOk(server.endpoint, admin, '{ groups { name } me { isAdmin } }');
    expect(groups.me.isAdmin).toBe(true);
    expect(groups.groups.map((g: { name: string }) => g.name)).toContain('phusers');
  });

  test('license (EE detection) and timezone', async () => {
    const data = await gqlOk(
      server.endpoint,
      server.token,
      '{ license { licensedTo licenseStatus maxModelDeploy usage { maxGroup } } timezone { name offset } }'
    );
    expect(data.license).toMatchObject({ licenseStatus: 'unexpired', maxModelDeploy: -1 });
    expect(typeof data.timezone.name).toBe('string');
    expect(typeof data.timezone.offset).toBe('number');
  });

  test('auth failures have the real server shapes: 500 Context creation failed', async () => {
    const none = await gql(server.endpoint, undefined, '{ me { id } }');
    expect(none).toEqual({
      status: 500,
      body: {
        errors: [
          { message: 'Context creation failed: request not authorized', extensions: { code: 'INTERNAL_SERVER_ERROR' } }
        ]
      }
    });
    const bad = await gql(server.endpoint, 'not-a-token', '{ me { id } }');
    expect(bad.status).toBe(500);
    expect(bad.body.errors?.[0].message).toBe('Context creation failed: Invalid API Token');
    const basic = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${server.token}` },
      body: '{"query":"{ me { id } }"}'
    });
    expect(basic.status).toBe(500);
  });

  test('an expired token is refused; a revoked-by-expiry token never comes back', async () => {
    // long enough for the first call on a loaded machine; then refused from its expiry on
    const token = server.cli('token', '--user', 'phuser', '--expires-in', '10');
    const returned = Date.now();
    expect((await gql(server.endpoint, token, '{ me { id } }')).status).toBe(200);
    await new Promise(r => setTimeout(r, Math.max(0, returned + 10_200 - Date.now())));
    const res = await gql(server.endpoint, token, '{ me { id } }');
    expect(res.status).toBe(500);
    expect(res.body.errors?.[0].message).toBe('Context creation failed: Invalid API Token');
  });

  test('token --revoke takes the token on standard input (never the command line) and refuses it from then on', async () => {
    const token = server.cli('token', '--user', 'phuser');
    expect((await gql(server.endpoint, token, '{ me { id } }')).status).toBe(200);
    const revoke = () =>
      spawnSync(process.execPath, [CLI, 'token', '--revoke', '--data-dir', server.dataDir], {
        input: `${token}\n`,
        encoding: 'utf8',
        timeout: 30_000
      });
    const first = revoke();
    expect([first.status, first.stdout.trim()]).toEqual([0, 'API token revoked']);
    const res = await gql(server.endpoint, token, '{ me { id } }');
    expect(res.body.errors?.[0].message).toBe('Context creation failed: Invalid API Token');
    const again = revoke();
    expect([again.status, again.stderr.trim()]).toEqual([1, 'no such API token (it may be revoked already)']);
    expect(again.stderr + again.stdout).not.toContain(token);
    // the server's own token still works
    expect((await gql(server.endpoint, server.token, '{ me { id } }')).status).toBe(200);
  });

  test('form-urlencoded bodies, as the official SDK sends them', async () => {
    const body = new URLSearchParams({
      query: 'query ($where: PhJobWhereInput) { phJobs(where: $where) { id } me { username } }',
      variables: JSON.stringify({ where: { groupId_in: [server.groupId] } })
    });
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.me.username).toBe('phuser');
    const broken = await fetch(server.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: new URLSearchParams({ query: '{ me { id } }', variables: '{not json' })
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as any).errors[0].extensions.code).toBe('REQUEST_BODY_INVALID');
  });

  test('malformed requests get 400 with a clear code', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${server.token}` },
        body
      });
    const cases: [Promise<Response>, string][] = [
      [post('{nope'), 'REQUEST_BODY_INVALID'],
      [post('{"variables":{}}'), 'REQUEST_BODY_INVALID'],
      [post('query=x', 'text/plain'), 'REQUEST_BODY_INVALID'],
      [post('{"query":"{ me { id "}'), 'GRAPHQL_PARSE_FAILED'],
      [post('{"query":"{ me { noSuchField } }"}'), 'GRAPHQL_VALIDATION_FAILED'],
      [post('{"query":"{ system { org { name } } }"}'), 'GRAPHQL_VALIDATION_FAILED'],
      [
        post('{"query":"query ($p: Int) { phJobs(page: $p) { id } }","variables":{"p":"one"}}'),
        'GRAPHQL_VALIDATION_FAILED'
      ],
      [post(JSON.stringify({ query: `{ me { id } }`.padEnd(2 * 1024 * 1024, ' ') })), 'REQUEST_BODY_INVALID']
    ];
    for (const [pending, code] of cases) {
      const res = await pending;
      expect([400, 413]).toContain(res.status);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe(code);
    }
  });

  test('a log URL with a malformed percent-encoding is a 400, not a 500', async () => {
    for (const id of ['%E0%A4%A', '%zz', 'job-%']) {
      const res = await fetch(`${server.baseUrl}/api/logs/namespaces/hub/phjobs/${id}`, {
        headers: { authorization: `Bearer ${server.token}`, accept: 'application/json' }
      });
      expect([id, res.status]).toEqual([id, 400]);
      expect(await res.json()).toEqual({
        code: 'REQUEST_BODY_INVALID',
        message: expect.stringContaining('percent-encoding')
      });
    }
  });

  test('selecting hasNextPage with numbered pages fails, as on PrimeHub', async () => {
    const res = await gql(server.endpoint, server.token, '{ phJobsConnection(page: 1) { pageInfo { hasNextPage } } }');
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.data).toBeNull();
  });

  test('pagination both ways on 25 jobs: numbered pages, cursors forward and back, filters', async () => {
    server.cli('group', 'add', 'paging');
    server.cli('user', 'add', 'pager', '--group', 'paging');
    const token = server.cli('token', '--user', 'pager');
    const gid = (await gqlOk(server.endpoint, token, '{ me { effectiveGroups { id } } }')).me.effectiveGroups[0].id;
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const job = await submitJob(server.endpoint, token, {
        groupId: gid,
        displayName: `page-${String(i).padStart(2, '0')}${i % 5 === 0 ? '-five' : ''}`,
        command: 'true'
      });
      created.push(job.id);
    }
    const newestFirst = [...created].reverse();
    const pageQuery =
      'query ($p: Int, $o: PhJobOrderByInput) { phJobsConnection(page: $p, orderBy: $o) { pageInfo { totalPage currentPage } edges { cursor node { id displayName } } } }';
    const pages = [];
    for (const p of [1, 2, 3, 4]) {
      pages.push((await gqlOk(server.endpoint, token, pageQuery, { p })).phJobsConnection);
    }
    expect(pages.map(p => p.pageInfo)).toEqual([1, 2, 3, 4].map(currentPage => ({ totalPage: 3, currentPage })));
    expect(pages.map(p => p.edges.length)).toEqual([10, 10, 5, 0]);
    expect(pages.flatMap(p => p.edges.map((e: { cursor: string }) => e.cursor))).toEqual(newestFirst);

    const asc = (await gqlOk(server.endpoint, token, pageQuery, { p: 1, o: { displayName: 'asc' } })).phJobsConnection;
    expect(asc.edges[0].node.displayName).toBe('page-00-five');
    const badOrder = await gql(server.endpoint, token, pageQuery, { p: 1, o: { displayName: 'sideways' } });
    expect(badOrder.body.errors?.[0].extensions.code).toBe('REQUEST_BODY_INVALID');

    const cursorQuery = `query ($first: Int, $after: String, $last: Int, $before: String) {
      phJobsConnection(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } }`;
    const forward: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await gqlOk(server.endpoint, token, cursorQuery, { first: 10, after })).phJobsConnection;
      forward.push(...page.edges.map((e: { cursor: string }) => e.cursor));
      if (!page.pageInfo.hasNextPage) {
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(newestFirst);
    const backward: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = (await gqlOk(server.endpoint, token, cursorQuery, { last: 10, before })).phJobsConnection;
      backward.unshift(...page.edges.map((e: { cursor: string }) => e.cursor));
      if (!page.pageInfo.hasPreviousPage) {
        break;
      }
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(newestFirst);

    const filtered = await gqlOk(
      server.endpoint,
      token,
      `{ a: phJobs(where: { search: "FIVE" }) { id } b: phJobs(where: { displayName_contains: "page-1" }) { id }
         c: phJobs(where: { mine: true }) { id } d: phJobs(where: { search: "${created[3].toUpperCase()}" }) { id } }`
    );
    expect(filtered.a).toHaveLength(5);
    expect(filtered.b).toHaveLength(10);
    expect(filtered.c).toHaveLength(25);
    expect(filtered.d).toEqual([{ id: created[3] }]);
    for (const id of created) {
      await waitForJob(server.endpoint, token, id);
    }
  });

  test('unknown ids: RESOURCE_NOT_FOUND with the Kubernetes message', async () => {
    const res = await gql(server.endpoint, server.token, '{ phJob(where: { id: "job-000000000000-nope00" }) { id } }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errors: [
        {
          message: 'phjobs.primehub.io "job-000000000000-nope00" not found',
          extensions: { code: 'RESOURCE_NOT_FOUND' }
        }
      ],
      data: null
    });
  });

  test('a second server on a busy port says so and exits 1', () => {
    const res = spawnSync(
      process.execPath,
      [CLI, 'start', '--data-dir', server.dataDir, '--port', new URL(server.baseUrl).port],
      {
        encoding: 'utf8',
        timeout: 30_000
      }
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/EADDRINUSE.*already running\? Pick another --port/);
    expect(res.stderr).not.toMatch(/ {4}at /);
  });

  test('admin commands take effect while the server runs', async () => {
    server.cli(
      'group',
      'add',
      'live_group',
      '--display-name',
      'Live Group',
      '--cpu-quota',
      '2',
      '--memory-quota',
      '3',
      '--user-cpu-quota',
      '1'
    );
    server.cli('user', 'add', 'live', '--group', 'live_group', '--group', 'phusers');
    const token = server.cli('token', '--user', 'live');
    const data = await gqlOk(
      server.endpoint,
      token,
      '{ me { username effectiveGroups { name displayName projectQuotaCpu projectQuotaMemory quotaCpu } } }'
    );
    expect(data.me.effectiveGroups).toEqual([
      { name: 'live_group', displayName: 'Live Group', projectQuotaCpu: 2, projectQuotaMemory: 3, quotaCpu: 1 },
      {
        name: 'phusers',
        displayName: 'PrimeHub Users',
        projectQuotaCpu: null,
        projectQuotaMemory: null,
        quotaCpu: null
      }
    ]);
    expect(() => server.cli('user', 'add', 'live', '--group', 'phusers')).toThrow(/already exists/);
    expect(() => server.cli('user', 'add', 'ghost', '--group', 'no_such_group')).toThrow(/does not exist/);
    expect(() => server.cli('group', 'add', '../evil')).toThrow(/invalid group name/);
  });
});
