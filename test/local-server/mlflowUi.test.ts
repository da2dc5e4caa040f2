/**
 * Each group's MLflow UI through PrimeHub Local's proxy (`/mlflow-ui/<group>/`) with the real MLflow: a one-time
 * ticket signs a browser in (a cookie), MLflow's UI and its `ajax-api` answer through it; without a live session
 * the answer is PrimeHub Local's 401 page, never MLflow's Basic challenge; sessions and tickets of one group never
 * reach another group's MLflow, by any path.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataDir } from '../../packages/local-server/src/DataDir';
import { LocalServerProcess } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning } from '../kit/mlflow';
import { waitFor } from '../kit/wait';

const SEARCH = 'ajax-api/2.0/mlflow/experiments/search?max_results=10';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with its path sent exactly as given (fetch would normalise `..`), no redirect followed. */
function raw(base: string, path: string, opts: { cookie?: string; method?: string; body?: string } = {}) {
  const u = new URL(base);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        headers: { ...(opts.cookie ? { cookie: opts.cookie } : {}), 'content-type': 'application/json' }
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', d => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      }
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** `{url}` of a ticket for `group`, or the refusal's status. */
async function ticket(
  server: LocalServerProcess,
  token: string,
  group: string
): Promise<{ status: number; url?: string }> {
  const res = await fetch(`${server.baseUrl}/api/mlflow-ui/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ group })
  });
  const body = (await res.json()) as { url?: string };
  return { status: res.status, url: body.url };
}

/** The path and query of a ticket URL. */
const pathOf = (url: string): string => url.slice(new URL(url).origin.length);

/** Redeems a ticket: the session cookie (`name=value`) the proxy sets. */
async function signIn(server: LocalServerProcess, token: string, group: string): Promise<string> {
  const t = await ticket(server, token, group);
  const res = await raw(server.baseUrl, pathOf(t.url!));
  expect(res.status).toBe(302);
  return String(res.headers['set-cookie']).split(';')[0];
}

/** PrimeHub Local's 401 page: HTML saying how to open the UI, and no Basic challenge. */
function expectSignInPage(res: Answer): void {
  expect({
    status: res.status,
    challenge: res.headers['www-authenticate'],
    type: res.headers['content-type'],
    text: res.text
  }).toEqual({
    status: 401,
    challenge: undefined,
    type: 'text/html; charset=utf-8',
    text: expect.stringContaining('opens from the PrimeHub extension')
  });
}

describe("each group's MLflow UI behind PrimeHub Local's sign-in", () => {
  let server: LocalServerProcess;
  let bobToken: string;

  beforeAll(async () => {
    // The groups exist before the server starts: their MLflow accounts are made when MLflow first becomes ready.
    server = new LocalServerProcess(mkdtempSync(join(tmpdir(), 'phl-mlflow-ui-')), { mlflow: true });
    server.cli('group', 'add', 'teamb');
    server.cli('group', 'add', 'teamc');
    server.cli(
      'group',
      'set-mlflow',
      'teamc',
      '--tracking-uri',
      'http://127.0.0.1:9/',
      '--ui-url',
      'http://127.0.0.1:9/'
    );
    server.cli('user', 'add', 'bob', '--group', 'teamb', '--group', 'teamc');
    await server.launch();
    bobToken = server.cli('token', '--user', 'bob');
    await mlflowRunning(server);
  }, MLFLOW_START_MS + 30_000);

  afterAll(async () => {
    await server?.dispose();
  });

  test("a ticket gives a cookie, then MLflow's UI and its ajax-api answer through the proxy", async () => {
    const t = await ticket(server, server.token, 'phusers');
    expect(t.url).toMatch(new RegExp(`^${server.baseUrl}/mlflow-ui/phusers/\\?ticket=[\\w-]{43}$`));
    const redeemed = await raw(server.baseUrl, pathOf(t.url!));
    expect({ status: redeemed.status, location: redeemed.headers.location }).toEqual({ status: 302, location: './' });
    const cookie = String(redeemed.headers['set-cookie']);
    expect(cookie).toMatch(/^phl-mlflow-ui=[\w-]{43}; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(';')[0];

    const ui = await raw(server.baseUrl, '/mlflow-ui/phusers/', { cookie: session });
    expect({ status: ui.status, challenge: ui.headers['www-authenticate'] }).toEqual({
      status: 200,
      challenge: undefined
    });
    expect(ui.text).toContain('<title>MLflow</title>');
    // relative asset paths: the UI works below the route
    const script = /src="(static-files\/[^"]+\.js)"/.exec(ui.text)![1];
    expect((await raw(server.baseUrl, `/mlflow-ui/phusers/${script}`, { cookie: session })).status).toBe(200);

    const search = await raw(server.baseUrl, `/mlflow-ui/phusers/${SEARCH}`, { cookie: session });
    expect(search.status).toBe(200);
    expect(JSON.parse(search.text).experiments).toEqual([
      expect.objectContaining({ name: 'Default', workspace: 'phusers' })
    ]);
    // the group's MLflow account is PrimeHub Local's to manage
    const change = await raw(server.baseUrl, '/mlflow-ui/phusers/ajax-api/2.0/mlflow/users/update-password', {
      cookie: session,
      method: 'PATCH',
      body: JSON.stringify({ username: 'group-phusers', password: 'x' })
    });
    expect(change.status).toBe(403);
  });

  test('a ticket opened below the root signs in at the root and goes on to the page asked for', async () => {
    const t = await ticket(server, server.token, 'phusers');
    const first = await raw(server.baseUrl, `/mlflow-ui/phusers/${SEARCH}&${new URL(t.url!).search.slice(1)}`);
    expect(first.status).toBe(302);
    const atRoot = new URL(String(first.headers.location), `${server.baseUrl}/mlflow-ui/phusers/${SEARCH}`);
    expect(atRoot.pathname).toBe('/mlflow-ui/phusers/');
    const second = await raw(server.baseUrl, atRoot.pathname + atRoot.search);
    expect(second.status).toBe(302);
    const page = new URL(String(second.headers.location), atRoot);
    expect(page.pathname + page.search).toBe(`/mlflow-ui/phusers/${SEARCH}`);
    const cookie = String(second.headers['set-cookie']).split(';')[0];
    expect((await raw(server.baseUrl, page.pathname + page.search, { cookie })).status).toBe(200);
  });

  test('no, a wrong or a used ticket, or no session: the 401 page, never a Basic challenge', async () => {
    expectSignInPage(await raw(server.baseUrl, '/mlflow-ui/phusers/'));
    expectSignInPage(await raw(server.baseUrl, `/mlflow-ui/phusers/${SEARCH}`));
    expectSignInPage(await raw(server.baseUrl, '/mlflow-ui/phusers/?ticket=not-a-ticket'));
    expectSignInPage(await raw(server.baseUrl, '/mlflow-ui/phusers/', { cookie: 'phl-mlflow-ui=forged' }));
    const t = await ticket(server, server.token, 'phusers');
    expect((await raw(server.baseUrl, pathOf(t.url!))).status).toBe(302);
    expectSignInPage(await raw(server.baseUrl, pathOf(t.url!)));
    // no ticket without a token; the group's own address is a 302 to the route with its slash
    expect((await ticket(server, 'nope', 'phusers')).status).toBe(403);
    expect((await raw(server.baseUrl, '/mlflow-ui/phusers')).headers.location).toBe('./phusers/');
  });

  test("a member of one group cannot get a ticket for another, nor use its ticket or cookie on another's path", async () => {
    expect((await ticket(server, server.token, 'teamb')).status).toBe(403);
    expect((await ticket(server, server.token, 'no-such-group')).status).toBe(403);
    // a group pointed at another MLflow keeps that MLflow's own UI
    expect((await ticket(server, bobToken, 'teamc')).status).toBe(400);
    expect((await raw(server.baseUrl, '/mlflow-ui/teamc/')).status).toBe(404);

    const phusers = await signIn(server, server.token, 'phusers');
    const teamb = await signIn(server, bobToken, 'teamb');
    expectSignInPage(await raw(server.baseUrl, `/mlflow-ui/teamb/${SEARCH}`, { cookie: phusers }));
    expectSignInPage(await raw(server.baseUrl, `/mlflow-ui/phusers/${SEARCH}`, { cookie: teamb }));
    const forB = await ticket(server, bobToken, 'teamb');
    expectSignInPage(await raw(server.baseUrl, `/mlflow-ui/phusers/?${new URL(forB.url!).search.slice(1)}`));

    // bob's own group answers with its own experiments once its MLflow account is made (every 3 s)
    const own = await waitFor(
      "teamb's MLflow account",
      async () => {
        const res = await raw(server.baseUrl, `/mlflow-ui/teamb/${SEARCH}`, { cookie: teamb });
        return res.status === 200 && res;
      },
      30_000,
      200
    );
    expect(JSON.parse(own.text).experiments).toEqual([expect.objectContaining({ workspace: 'teamb' })]);
  });

  test("no path reaches another group's MLflow: dot segments, encoded separators and dots", async () => {
    const cookie = await signIn(server, server.token, 'phusers');
    for (const path of [
      `/mlflow-ui/phusers/../teamb/${SEARCH}`,
      `/mlflow-ui/phusers/%2e%2e/teamb/${SEARCH}`,
      `/mlflow-ui/phusers/%252e%252e/teamb/${SEARCH}`,
      `/mlflow-ui/phusers/.%2E/teamb/${SEARCH}`,
      `/mlflow-ui/phusers%2F..%2Fteamb/${SEARCH}`,
      `/mlflow-ui/..%2Fteamb/${SEARCH}`,
      `/mlflow-ui/teamb%2F..%2Fphusers/${SEARCH}`,
      `/mlflow-ui/%74eamb/${SEARCH}`
    ]) {
      const res = await raw(server.baseUrl, path, { cookie });
      expect({ path, refused: [400, 401, 404].includes(res.status), mlflow: res.text.includes('experiments') }).toEqual(
        {
          path,
          refused: true,
          mlflow: false
        }
      );
    }
  });

  test('a user taken out of the group loses the UI at their next request', async () => {
    const cookie = await signIn(server, bobToken, 'teamb');
    await waitFor(
      'a session of teamb',
      async () => (await raw(server.baseUrl, `/mlflow-ui/teamb/${SEARCH}`, { cookie })).status === 200,
      30_000,
      200
    );
    const db = new Database(new DataDir(server.dataDir).database);
    try {
      db.prepare("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE username = 'bob')").run();
    } finally {
      db.close();
    }
    expectSignInPage(await raw(server.baseUrl, `/mlflow-ui/teamb/${SEARCH}`, { cookie }));
    expect((await ticket(server, bobToken, 'teamb')).status).toBe(403);
  });
});
