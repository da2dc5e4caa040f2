import { PermissionError } from '../errors';
import { MockPrimeHub, ORIGIN, TOKEN } from '../testing/mockPrimeHub';

describe('models.uiLink', () => {
  let ph: MockPrimeHub;
  let asked: { body: unknown; authorization: string }[];

  beforeEach(() => {
    ph = new MockPrimeHub().withGroups();
    asked = [];
  });
  afterEach(() => ph.close());

  /** The server's tickets route: the next ticket is `t-<n>`; a group named `other` is refused as PrimeHub does. */
  function serveTickets(path = '/api/mlflow-ui/tickets', workspace?: string): void {
    ph.agent
      .get(ORIGIN)
      .intercept({ path, method: 'POST' })
      .reply(opts => {
        const body = JSON.parse(String(opts.body)) as { group: string };
        const headers = opts.headers as Record<string, string>;
        asked.push({ body, authorization: headers.authorization ?? headers.Authorization });
        if (body.group === 'other') {
          return { statusCode: 403, data: JSON.stringify({ code: 'NOT_AUTH', message: 'user not auth' }) };
        }
        const url = `${ORIGIN}/mlflow-ui/${encodeURIComponent(body.group)}/?ticket=t-${asked.length}`;
        return { statusCode: 200, data: JSON.stringify({ url, ...(workspace ? { workspace } : {}) }) };
      })
      .persist();
  }

  it("asks for a ticket for a PrimeHub Local group's UI and keeps the page's path, query and fragment", async () => {
    serveTickets();
    const client = ph.client();
    const compare = `${ORIGIN}/mlflow-ui/phusers/#/compare-runs?runs=["a","b"]&experiments=["1"]`;
    expect(await client.models.uiLink(compare)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/?ticket=t-1#/compare-runs?runs=["a","b"]&experiments=["1"]`
    );
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/get-artifact?path=a%20b&x=1#top`)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/get-artifact?path=a%20b&x=1&ticket=t-2#top`
    );
    // a stale ticket is replaced, not repeated
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/?ticket=old&y=2`)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/?y=2&ticket=t-3`
    );
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/Team%20X`)).toBe(`${ORIGIN}/mlflow-ui/Team%20X?ticket=t-4`);
    expect(asked).toEqual([
      { body: { group: 'phusers' }, authorization: `Bearer ${TOKEN}` },
      { body: { group: 'phusers' }, authorization: `Bearer ${TOKEN}` },
      { body: { group: 'phusers' }, authorization: `Bearer ${TOKEN}` },
      { body: { group: 'Team X' }, authorization: `Bearer ${TOKEN}` }
    ]);
  });

  it("names the group's MLflow workspace in a deep link's route, which MLflow's UI needs to open it", async () => {
    serveTickets(undefined, 'team-x');
    const client = ph.client();
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/#/experiments/2/runs/abc`)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/?ticket=t-1#/experiments/2/runs/abc?workspace=team-x`
    );
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/#/compare-runs?runs=["a"]`)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/?ticket=t-2#/compare-runs?runs=["a"]&workspace=team-x`
    );
    // no route, or one naming its workspace already: as it is
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/`)).toBe(`${ORIGIN}/mlflow-ui/phusers/?ticket=t-3`);
    expect(await client.models.uiLink(`${ORIGIN}/mlflow-ui/phusers/#/experiments/2?workspace=w`)).toBe(
      `${ORIGIN}/mlflow-ui/phusers/?ticket=t-4#/experiments/2?workspace=w`
    );
  });

  it('returns any other URL unchanged without a request', async () => {
    const client = ph.client();
    for (const url of [
      'https://mlflow.example.com/#/experiments/1',
      'https://primehub.example.com/console/apps/mlflow-xyz/',
      'http://other.test/mlflow-ui/phusers/',
      `${ORIGIN}/mlflow/phusers/`,
      `${ORIGIN}/mlflow-ui/`,
      'not a url'
    ]) {
      expect(await client.models.uiLink(url)).toBe(url);
    }
    expect(asked).toEqual([]);
  });

  it('through a proxy: the UI of the server at apiBase, the ticket asked for through the client endpoint', async () => {
    serveTickets('/lab/primehub-suite/proxy/api/mlflow-ui/tickets');
    const client = ph.client({ endpoint: `${ORIGIN}/lab/primehub-suite/proxy/api/graphql` });
    const ui = 'http://127.0.0.1:8321/mlflow-ui/phusers/';
    expect(await client.models.uiLink(`${ui}#/models`, { apiBase: 'http://127.0.0.1:8321/api' })).toBe(
      `${ui}?ticket=t-1#/models`
    );
    // without apiBase that server is not the client's
    expect(await client.models.uiLink(ui)).toBe(ui);
    expect(asked).toHaveLength(1);
  });

  it("a group the user is not in is PrimeHub's PermissionError", async () => {
    serveTickets();
    await expect(ph.client().models.uiLink(`${ORIGIN}/mlflow-ui/other/`)).rejects.toBeInstanceOf(PermissionError);
  });
});
