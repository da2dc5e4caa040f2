import {
  AuthError,
  ConflictError,
  NotFoundError,
  PartialSubmissionError,
  TimeoutError,
  ValidationError
} from '../errors';
import { notebookRunParameters, parseNotebookRunScript } from '../notebook/runScript';
import { PrimeHubClient } from '../node/PrimeHubClient';
import { readBody, startServer } from '../testing/httpServer';
import { ENDPOINT, MockPrimeHub, ORIGIN, TOKEN } from '../testing/mockPrimeHub';
import { generateDeploymentId } from './DeploymentsApi';

const job = (id: string, phase = 'Succeeded') => ({
  id,
  displayName: id,
  cancel: false,
  command: 'echo',
  groupId: 'g-1',
  groupName: 'phusers',
  schedule: null,
  image: 'base-notebook',
  instanceType: null,
  userId: 'u',
  userName: 'alice',
  phase,
  reason: null,
  message: null,
  createTime: null,
  startTime: null,
  finishTime: null
});

let ph: MockPrimeHub;
beforeEach(() => {
  ph = new MockPrimeHub().withGroups([
    { id: 'g-1', name: 'phusers', displayName: 'PH Users' },
    { id: 'g-2', name: 'Team_B', displayName: 'Team B' }
  ]);
});
afterEach(() => ph.close());

describe('group resolution', () => {
  it('resolves the group by name once per client', async () => {
    ph.data('JobList', { phJobsConnection: { pageInfo: { totalPage: 1, currentPage: 1 }, edges: [] } });
    const client = ph.client();
    await client.jobs.list();
    await client.jobs.list();
    await client.jobs.list({ group: 'team_b' });
    expect(ph.calls('EffectiveGroups')).toBe(1);
    expect(ph.seen.filter(s => s.operationName === 'JobList').map(s => s.variables.where)).toEqual([
      { groupId_in: ['g-1'] },
      { groupId_in: ['g-1'] },
      { groupId_in: ['g-2'] }
    ]);
  });

  it('explains an unknown or missing group', async () => {
    await expect(ph.client({ group: 'nope' }).groups.current()).rejects.toThrow(
      /"nope" is not among your groups \(phusers, Team_B\)/
    );
    await expect(ph.client({ group: undefined }).jobs.list()).rejects.toBeInstanceOf(ValidationError);
  });

  it('setGroup switches the current group', async () => {
    const client = ph.client();
    client.setGroup('Team_B');
    expect((await client.groups.current()).id).toBe('g-2');
  });

  it('lists instance types, images and volumes of the current group', async () => {
    ph.data('InstanceTypes', {
      me: {
        effectiveGroups: [
          { name: 'phusers', instanceTypes: [{ name: 'cpu-1' }] },
          { name: 'Team_B', instanceTypes: [{ name: 'gpu-1' }] }
        ]
      }
    });
    ph.data('Images', {
      me: { effectiveGroups: [{ name: 'phusers', images: [{ id: 'base-notebook', name: 'base-notebook' }] }] }
    });
    ph.data('Volumes', { me: { effectiveGroups: [{ name: 'phusers', datasets: [] }] } });
    const client = ph.client();
    expect(await client.groups.instanceTypes()).toEqual([{ name: 'cpu-1' }]);
    expect(await client.groups.instanceTypes({ group: 'Team_B' })).toEqual([{ name: 'gpu-1' }]);
    expect((await client.groups.images())[0].name).toBe('base-notebook');
    expect(await client.groups.volumes()).toEqual([]);
  });
});

describe('jobs', () => {
  it('submits with the group id and validates input client-side', async () => {
    ph.on('JobSubmit', v => ({
      body: { data: { createPhJob: { ...job('job-9', 'Pending'), ...(v.data as object) } } }
    }));
    const client = ph.client();
    const created = await client.jobs.submit({
      displayName: 'train',
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'python t.py',
      activeDeadlineSeconds: 3600
    });
    expect(created.id).toBe('job-9');
    expect(ph.seen.find(s => s.operationName === 'JobSubmit')?.variables).toEqual({
      data: {
        displayName: 'train',
        instanceType: 'cpu-1',
        image: 'base-notebook',
        command: 'python t.py',
        activeDeadlineSeconds: 3600,
        groupId: 'g-1'
      }
    });
    await expect(
      client.jobs.submit({ displayName: '', instanceType: 'cpu-1', image: 'i', command: 'c' })
    ).rejects.toThrow(/displayName/);
    await expect(
      client.jobs.submit({
        displayName: 'x',
        instanceType: 'cpu-1',
        image: 'i',
        command: 'c',
        activeDeadlineSeconds: -1
      })
    ).rejects.toBeInstanceOf(ValidationError);
    expect(ph.calls('JobSubmit')).toBe(1);
  });

  it('lists one numbered page and iterates all pages', async () => {
    ph.on('JobList', v => {
      const page = v.page as number;
      const ids = page <= 3 ? Array.from({ length: page < 3 ? 10 : 4 }, (_, i) => `job-${page}-${i}`) : [];
      return {
        body: {
          data: {
            phJobsConnection: {
              pageInfo: { totalPage: 3, currentPage: page },
              edges: ids.map(id => ({ cursor: id, node: job(id) }))
            }
          }
        }
      };
    });
    const client = ph.client();
    const p2 = await client.jobs.list({ page: 2, search: 'train', mine: true, orderBy: { createTime: 'asc' } });
    expect(p2).toMatchObject({ currentPage: 2, totalPage: 3 });
    expect(p2.items).toHaveLength(10);
    expect(ph.seen.find(s => s.operationName === 'JobList')?.variables).toEqual({
      where: { groupId_in: ['g-1'], search: 'train', mine: true },
      page: 2,
      orderBy: { createTime: 'asc' }
    });
    expect(ph.calls('JobList')).toBe(1);
  });

  it('iterates with cursors (first/after), never by page number', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `job-${i}`);
    ph.on('JobCursorList', v => {
      const start = v.after ? ids.indexOf(v.after as string) + 1 : 0;
      const slice = ids.slice(start, start + (v.first as number));
      return {
        body: {
          data: {
            phJobsConnection: {
              pageInfo: { hasNextPage: start + slice.length < ids.length, endCursor: slice[slice.length - 1] ?? null },
              edges: slice.map(id => ({ cursor: id, node: job(id) }))
            }
          }
        }
      };
    });
    const all: string[] = [];
    for await (const j of ph.client().jobs.iterate({ pageSize: 10, mine: true })) {
      all.push(j.id);
    }
    expect(all).toEqual(ids);
    expect(ph.seen.filter(s => s.operationName === 'JobCursorList').map(s => s.variables)).toEqual([
      { where: { groupId_in: ['g-1'], mine: true }, first: 10 },
      { where: { groupId_in: ['g-1'], mine: true }, first: 10, after: 'job-9' },
      { where: { groupId_in: ['g-1'], mine: true }, first: 10, after: 'job-19' }
    ]);
    expect(ph.calls('JobList')).toBe(0);
    await expect(ph.client().jobs.iterate({ pageSize: 0 }).next()).rejects.toBeInstanceOf(ValidationError);
  });

  it('cancel re-reads the job; rerun returns the new job', async () => {
    ph.data('JobCancel', { cancelPhJob: { id: 'job-1' } });
    ph.data('JobGet', { phJob: job('job-1', 'Cancelled') });
    ph.data('JobRerun', { rerunPhJob: job('job-2', 'Pending') });
    const client = ph.client();
    expect((await client.jobs.cancel('job-1')).phase).toBe('Cancelled');
    expect((await client.jobs.rerun('job-1')).id).toBe('job-2');
  });

  it('waits through the phases until a terminal one', async () => {
    const phases = ['Pending', 'Preparing', 'Running', 'Running', 'Failed'];
    ph.on('JobPhase', (_v, n) => ({
      body: { data: { phJob: { phase: phases[Math.min(n - 1, phases.length - 1)] } } }
    }));
    ph.data('JobGet', { phJob: job('job-1', 'Failed') });
    const seen: string[] = [];
    const done = await ph.client().jobs.wait('job-1', { onPhase: p => seen.push(p) });
    expect(done.phase).toBe('Failed');
    expect(seen).toEqual(['Pending', 'Preparing', 'Running', 'Failed']);
  });

  it('treats Unknown as terminal', async () => {
    ph.data('JobPhase', { phJob: { phase: 'Unknown' } });
    ph.data('JobGet', { phJob: job('job-1', 'Unknown') });
    expect((await ph.client().jobs.wait('job-1')).phase).toBe('Unknown');
  });

  it('wait times out with TimeoutError and aborts with the caller reason', async () => {
    ph.data('JobPhase', { phJob: { phase: 'Running' } });
    const client = ph.client({ pollIntervalMs: 5 });
    await expect(client.jobs.wait('job-1', { timeoutMs: 30 })).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const p = client.jobs.wait('job-1', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch(e => e);
    expect(err).toBe(ac.signal.reason);
    expect(err.name).toBe('AbortError');
  });

  it('lists artifacts and downloads one through PHFS', async () => {
    ph.data('JobArtifacts', {
      phJob: { artifact: { items: [{ name: 'out/model.pkl', size: 3, lastModified: null }] } }
    });
    let url = '';
    ph.agent
      .get(ORIGIN)
      .intercept({ path: p => p.startsWith('/api/files/'), method: 'GET' })
      .reply(o => {
        url = o.path;
        return { statusCode: 200, data: 'abc', responseOptions: { headers: { 'content-length': '3' } } };
      });
    const client = ph.client();
    expect(await client.jobs.artifacts('job-1')).toEqual([{ name: 'out/model.pkl', size: 3, lastModified: null }]);
    const dl = await client.jobs.downloadArtifact('job-1', 'out/model.pkl');
    let text = '';
    for await (const c of dl.body) {
      text += Buffer.from(c).toString();
    }
    expect(text).toBe('abc');
    expect(url).toBe('/api/files/groups/phusers/jobArtifacts/job-1/out/model.pkl');
  });
});

describe('schedules', () => {
  const sched = { id: 'recurrence-abc', displayName: 'nightly', recurrence: { type: 'daily', cron: '0 4 * * *' } };

  it('maps on-demand to inactive and fills presets', async () => {
    ph.data('ScheduleCreate', { createPhSchedule: sched });
    const client = ph.client();
    await client.schedules.create({
      displayName: 'n',
      instanceType: 'cpu-1',
      image: 'i',
      command: 'c',
      recurrence: { type: 'on-demand' }
    });
    await client.schedules.create({
      displayName: 'n',
      instanceType: 'cpu-1',
      image: 'i',
      command: 'c',
      recurrence: { type: 'weekly' }
    });
    await client.schedules.create({
      displayName: 'n',
      instanceType: 'cpu-1',
      image: 'i',
      command: 'c',
      recurrence: { type: 'custom', cron: '*/5 * * * *' }
    });
    expect(
      ph.seen
        .filter(s => s.operationName === 'ScheduleCreate')
        .map(s => (s.variables.data as { recurrence: unknown }).recurrence)
    ).toEqual([
      { type: 'inactive', cron: '' },
      { type: 'weekly', cron: '0 4 * * 1' },
      { type: 'custom', cron: '*/5 * * * *' }
    ]);
  });

  it('rejects bad recurrences before sending', async () => {
    const client = ph.client();
    const base = { displayName: 'n', instanceType: 'cpu-1', image: 'i', command: 'c' };
    await expect(client.schedules.create({ ...base, recurrence: { type: 'custom' } })).rejects.toThrow(/cron/);
    await expect(client.schedules.create({ ...base, recurrence: { type: 'custom', cron: '* *' } })).rejects.toThrow(
      /5 fields/
    );
    await expect(client.schedules.create({ ...base, recurrence: { type: 'hourly' as never } })).rejects.toThrow(
      /on-demand/
    );
    expect(ph.calls('ScheduleCreate')).toBe(0);
  });

  it('update always sends the group id; run returns the job id; list pages', async () => {
    ph.data('ScheduleUpdate', { updatePhSchedule: sched });
    ph.data('ScheduleRun', { runPhSchedule: { job: { id: 'job-7' } } });
    ph.data('ScheduleList', {
      phSchedulesConnection: { pageInfo: { totalPage: 1, currentPage: 1 }, edges: [{ cursor: 'x', node: sched }] }
    });
    ph.data('ScheduleCursorList', {
      phSchedulesConnection: { pageInfo: { hasNextPage: false, endCursor: 'x' }, edges: [{ cursor: 'x', node: sched }] }
    });
    const client = ph.client();
    await client.schedules.update('recurrence-abc', { command: 'new' });
    expect(ph.seen.find(s => s.operationName === 'ScheduleUpdate')?.variables).toEqual({
      data: { command: 'new', groupId: 'g-1' },
      where: { id: 'recurrence-abc' }
    });
    expect(await client.schedules.run('recurrence-abc')).toEqual({ jobId: 'job-7' });
    const all = [];
    for await (const s of client.schedules.iterate()) {
      all.push(s);
    }
    expect(all).toEqual([sched]);
  });
});

describe('deployments', () => {
  const dep = {
    id: 'iris-ab12c',
    name: 'iris',
    status: 'Deploying',
    stop: false,
    endpoint: `${ORIGIN}/deployment/iris-ab12c/api/v1.0/predictions`
  };

  it('iterates every deployment with cursors (first/after)', async () => {
    ph.on('DeploymentCursorList', v => ({
      body: {
        data: {
          phDeploymentsConnection: v.after
            ? {
                pageInfo: { hasNextPage: false, endCursor: 'd-3' },
                edges: [{ cursor: 'd-3', node: { ...dep, id: 'd-3' } }]
              }
            : {
                pageInfo: { hasNextPage: true, endCursor: 'd-2' },
                edges: [
                  { cursor: 'd-1', node: { ...dep, id: 'd-1' } },
                  null,
                  { cursor: 'd-2', node: { ...dep, id: 'd-2' } }
                ]
              }
        }
      }
    }));
    const ids: string[] = [];
    for await (const d of ph.client().deployments.iterate({ pageSize: 2 })) {
      ids.push(d.id);
    }
    expect(ids).toEqual(['d-1', 'd-2', 'd-3']);
    expect(ph.seen.filter(s => s.operationName === 'DeploymentCursorList').map(s => s.variables)).toEqual([
      { where: { groupId_in: ['g-1'] }, first: 2 },
      { where: { groupId_in: ['g-1'] }, first: 2, after: 'd-2' }
    ]);
  });

  it('generates ids like the SDK', () => {
    const id = generateDeploymentId('My Model_v2.0');
    expect(id).toMatch(/^my-model-v2-0-[0-9a-f]{5}$/);
  });

  it('creates with a generated, available id and SDK defaults', async () => {
    ph.on('DeploymentAvail', (_v, n) => ({ body: { data: { phDeploymentAvail: n > 1 } } }));
    ph.on('DeploymentCreate', v => ({
      body: { data: { createPhDeployment: { ...dep, id: (v.data as { id: string }).id } } }
    }));
    const client = ph.client();
    const created = await client.deployments.create({
      name: 'Iris Model',
      instanceType: 'cpu-1',
      modelImage: 'infuseai/sklearn-prepackaged:v0.1.0',
      modelURI: 'phfs:///m',
      env: { A: '1' }
    });
    const sent = ph.seen.find(s => s.operationName === 'DeploymentCreate')?.variables.data as Record<string, unknown>;
    expect(sent).toEqual({
      id: created.id,
      name: 'Iris Model',
      instanceType: 'cpu-1',
      modelImage: 'infuseai/sklearn-prepackaged:v0.1.0',
      modelURI: 'phfs:///m',
      replicas: 1,
      updateMessage: '',
      metadata: {},
      env: [{ name: 'A', value: '1' }],
      endpointAccessType: 'public',
      groupId: 'g-1'
    });
    expect(created.id).toMatch(/^iris-model-[0-9a-f]{5}$/);
    expect(ph.calls('DeploymentAvail')).toBe(2);
  });

  it('refuses a taken or malformed id and bad env names', async () => {
    ph.data('DeploymentAvail', { phDeploymentAvail: false });
    const client = ph.client();
    const spec = { name: 'x', instanceType: 'cpu-1', modelImage: 'img' };
    await expect(client.deployments.create({ ...spec, id: 'taken-id' })).rejects.toBeInstanceOf(ConflictError);
    await expect(client.deployments.create({ ...spec, id: 'Bad_ID' })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.deployments.create({ ...spec, env: { '1BAD': 'x' } })).rejects.toThrow(/environment variable/);
  });

  it('wait stops on Deployed, Stopped (when stopping) and Failed', async () => {
    const states = [
      { stop: false, status: 'Deploying' },
      { stop: false, status: 'Failed' }
    ];
    ph.on('DeploymentStatus', (_v, n) => ({ body: { data: { phDeployment: states[Math.min(n - 1, 1)] } } }));
    const seen: string[] = [];
    expect(await ph.client().deployments.wait('d', { onStatus: s => seen.push(s) })).toEqual({
      status: 'Failed',
      stop: false
    });
    expect(seen).toEqual(['Deploying', 'Failed']);
  });

  it('wait for a stop ends on Stopped', async () => {
    ph.on('DeploymentStatus', (_v, n) => ({
      body: { data: { phDeployment: n < 3 ? { stop: true, status: 'Stopping' } : { stop: true, status: 'Stopped' } } }
    }));
    expect(await ph.client().deployments.wait('d')).toEqual({ status: 'Stopped', stop: true });
  });

  it('predicts with ndarray, tensor and strData JSON bodies, never sending the PrimeHub token', async () => {
    const bodies: unknown[] = [];
    const auths: Array<string | undefined> = [];
    ph.data('DeploymentGet', { phDeployment: dep });
    ph.agent
      .get(ORIGIN)
      .intercept({ path: '/deployment/iris-ab12c/api/v1.0/predictions', method: 'POST' })
      .reply(o => {
        bodies.push(JSON.parse(String(o.body)));
        auths.push((o.headers as Record<string, string>).authorization);
        return { statusCode: 200, data: JSON.stringify({ data: { names: ['t:0'], ndarray: [[1]] } }) };
      })
      .persist();
    const client = ph.client();
    const out = await client.deployments.predict('iris-ab12c', { ndarray: [[5.9, 4.0, 2.1, 1.0]] });
    expect(out).toEqual({ data: { names: ['t:0'], ndarray: [[1]] } });
    await client.deployments.predict(dep.endpoint, { tensor: { shape: [1, 2], values: [1, 2] }, names: ['a', 'b'] });
    await client.deployments.predict(
      dep.endpoint,
      { strData: 'hello' },
      { auth: { username: 'client1', password: 'pw-secret' } }
    );
    expect(bodies).toEqual([
      { data: { ndarray: [[5.9, 4.0, 2.1, 1.0]] } },
      { data: { names: ['a', 'b'], tensor: { shape: [1, 2], values: [1, 2] } } },
      { strData: 'hello' }
    ]);
    expect(auths).toEqual([undefined, undefined, `Basic ${Buffer.from('client1:pw-secret').toString('base64')}`]);
    expect(auths.join()).not.toContain(TOKEN);
  });

  it('predicts with binData as multipart (streamed)', async () => {
    let captured: { headers: Record<string, string | string[] | undefined>; body: Buffer } | undefined;
    const server = await startServer(async (req, res) => {
      captured = { headers: req.headers, body: await readBody(req) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"binData":"ok"}');
    });
    const client = new PrimeHubClient({ endpoint: ENDPOINT, token: TOKEN, proxy: false });
    const bytes = new Uint8Array([0, 255, 1, 2]);
    const out = await client.deployments.predict(`${server.url}/deployment/img/api/v1.0/predictions`, {
      binData: new Blob([bytes]),
      filename: 'cat".png',
      contentType: 'image/png'
    });
    expect(out).toEqual({ binData: 'ok' });
    const boundary = /boundary=(.+)$/.exec(String(captured!.headers['content-type']))![1];
    const text = captured!.body.toString('latin1');
    expect(
      text.startsWith(
        `--${boundary}\r\nContent-Disposition: form-data; name="binData"; filename="cat_.png"\r\nContent-Type: image/png\r\n\r\n`
      )
    ).toBe(true);
    expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    expect(captured!.body.includes(Buffer.from(bytes))).toBe(true);
    expect(captured!.headers.authorization).toBeUndefined();
    await client.close();
    await server.close();
  });

  it('send returns a refused prediction with its status, body, latency and the reason in a sentence', async () => {
    const seldon = {
      status: {
        code: -1,
        info: 'X has 3 features, but the model expects 4',
        reason: 'MICROSERVICE_BAD_DATA',
        status: 'FAILURE'
      }
    };
    ph.agent
      .get(ORIGIN)
      .intercept({ path: '/deployment/iris-ab12c/api/v1.0/predictions', method: 'POST' })
      .reply(o => {
        const body = JSON.parse(String(o.body)) as { jsonData?: unknown };
        return body.jsonData
          ? { statusCode: 200, data: JSON.stringify({ jsonData: body.jsonData }) }
          : { statusCode: 400, data: JSON.stringify(seldon) };
      })
      .persist();
    const client = ph.client();
    const bad = await client.deployments.send(dep.endpoint, { ndarray: [[1, 2, 3]] });
    expect(bad).toMatchObject({ status: 400, ok: false, body: seldon });
    expect(bad.error).toBe(
      'The model server could not use the request (HTTP 400): X has 3 features, but the model expects 4.'
    );
    expect(bad.latencyMs).toBeGreaterThanOrEqual(0);
    const good = await client.deployments.send(dep.endpoint, { jsonData: { text: 'héllo' } });
    expect(good).toMatchObject({ status: 200, ok: true, body: { jsonData: { text: 'héllo' } } });
    expect(good.error).toBeUndefined();
    // predict still throws on the same refusal
    await expect(client.deployments.predict(dep.endpoint, { ndarray: [[1, 2, 3]] })).rejects.toThrow(/HTTP 400/);
  });

  it('refuses to predict on a deployment without endpoint', async () => {
    ph.data('DeploymentGet', { phDeployment: { ...dep, endpoint: null } });
    await expect(ph.client().deployments.predict('iris-ab12c', { strData: 'x' })).rejects.toThrow(/no endpoint/);
  });

  it('picks the deployment pod for logs and reports a missing one', async () => {
    ph.data('DeploymentPods', { phDeployment: { pods: [] } });
    const it = ph.client().deployments.logs('d');
    await expect(it.next()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('updates, starts, stops, deletes and reads history', async () => {
    ph.data('DeploymentUpdate', { updatePhDeployment: dep });
    ph.data('DeploymentStart', { deployPhDeployment: dep });
    ph.data('DeploymentStop', { stopPhDeployment: { ...dep, stop: true } });
    ph.data('DeploymentDelete', { deletePhDeployment: { id: dep.id } });
    ph.data('DeploymentHistory', { phDeployment: { history: [{ time: 't', deployment: dep }] } });
    ph.data('DeploymentList', { phDeployments: [dep] });
    const client = ph.client();
    await client.deployments.update(dep.id, { replicas: 2, env: { B: '2' } });
    expect(ph.seen.find(s => s.operationName === 'DeploymentUpdate')?.variables).toEqual({
      where: { id: dep.id },
      data: { replicas: 2, env: [{ name: 'B', value: '2' }] }
    });
    await client.deployments.start(dep.id);
    expect((await client.deployments.stop(dep.id)).stop).toBe(true);
    expect(await client.deployments.delete(dep.id)).toEqual({ id: dep.id });
    expect(await client.deployments.history(dep.id)).toHaveLength(1);
    expect(await client.deployments.list()).toEqual([dep]);
    expect(ph.seen.find(s => s.operationName === 'DeploymentList')?.variables).toEqual({
      where: { groupId_in: ['g-1'] }
    });
  });
});

describe('models', () => {
  it('uses the group name and maps the SDK verbs', async () => {
    ph.data('QueryModels', { mlflow: { trackingUri: 'http://mlflow', uiUrl: null }, models: [{ name: 'iris' }] });
    ph.data('QueryModel', { mlflow: null, model: { name: 'iris' }, modelVersions: [{ name: 'iris', version: '1' }] });
    ph.data('QueryModelVersion', { mlflow: null, modelVersion: { name: 'iris', version: '1', run: { info: {} } } });
    ph.data('QueryModelVersions', { modelVersions: [{ name: 'iris', version: '1', source: 's3://x' }] });
    ph.data('MLflowArtifact', { mlflowArtifact: { root_uri: 'r', files: [{ path: 'model', is_dir: true }] } });
    ph.data('MLflowRuns', { mlflowRuns: [{ info: { runId: 'r1' } }] });
    ph.data('RegisterModel', { registerModel: { name: 'iris', version: '2' } });
    ph.data('DeploymentUpdate', { updatePhDeployment: { id: 'd' } });
    ph.data('QueryMLflowSetting', { mlflow: { trackingUri: 'http://mlflow', uiUrl: 'http://ui' } });
    const client = ph.client();
    expect(await client.models.list()).toEqual([{ name: 'iris' }]);
    expect(await client.models.mlflow()).toEqual({ trackingUri: 'http://mlflow', uiUrl: 'http://ui' });
    expect((await client.models.get('iris')).versions).toHaveLength(1);
    expect((await client.models.version('iris', '1')).run).toEqual({ info: {} });
    expect((await client.models.versions('iris'))[0].source).toBe('s3://x');
    expect(await client.models.mlflowArtifact('r1', 'model')).toEqual([{ path: 'model', is_dir: true }]);
    expect(await client.models.mlflowRuns('exp')).toHaveLength(1);
    expect(await client.models.register({ name: 'iris', runId: 'r1', path: 'model' })).toEqual({
      name: 'iris',
      version: '2'
    });
    await client.models.deploy('my model', '2', 'd');
    const vars = Object.fromEntries(ph.seen.map(s => [s.operationName, s.variables]));
    expect(vars.QueryModels).toEqual({ group: 'phusers' });
    expect(vars.RegisterModel).toEqual({ where: { group: 'phusers', name: 'iris', runId: 'r1', path: 'model' } });
    expect(vars.DeploymentUpdate).toEqual({ where: { id: 'd' }, data: { modelURI: 'models:/my%20model/2' } });
  });

  it('a missing model is NotFoundError', async () => {
    ph.data('QueryModel', { mlflow: null, model: null, modelVersions: [] });
    await expect(ph.client().models.get('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('notebook jobs', () => {
  const declared = [
    { name: 'lr', type: 'float' as const },
    { name: 'epochs', type: 'int' as const },
    { name: 'note', type: 'str' as const }
  ];
  const base = {
    displayName: 'train',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    notebook: { volumePath: 'proj/.train-snapshot.ipynb' },
    declared
  };
  const sentCommands = (): Array<{ displayName: string; command: string }> =>
    ph.seen
      .filter(s => s.operationName === 'JobSubmit')
      .map(s => s.variables.data as { displayName: string; command: string });

  it('runs a notebook of the volume in its folder, parameters in base64, output beside it', async () => {
    ph.data('JobSubmit', { createPhJob: job('job-nb', 'Pending') });
    const run = await ph.client().notebook.run({
      ...base,
      parameters: { lr: 1, epochs: 3, note: "it's $(fine)" },
      outputName: 'train-output.ipynb'
    });
    const [{ command }] = sentCommands();
    expect(command).not.toContain('fine');
    expect(parseNotebookRunScript(command)).toEqual({
      workdir: { root: 'volume', path: 'proj' },
      input: { root: 'volume', path: 'proj/.train-snapshot.ipynb' },
      output: { root: 'volume', path: 'proj/train-output.ipynb' },
      artifactName: 'train-output.ipynb',
      parameters: { lr: 1, epochs: 3, note: "it's $(fine)" }
    });
    expect(run).toMatchObject({
      artifactName: 'train-output.ipynb',
      output: { volumePath: 'proj/train-output.ipynb' }
    });
  });

  /** What a run script tells its MLflow run (the base64 JSON after the parameters). */
  const trackingOf = (command: string): Record<string, string> =>
    JSON.parse(
      Buffer.from(/"\$mlflow_code" \S+ '[A-Za-z0-9+/=]*' '([A-Za-z0-9+/=]*)'/.exec(command)![1], 'base64').toString()
    );

  it("a snapshot's run is named after the original notebook: experiment, source tag, sweep id", async () => {
    let n = 0;
    ph.on('JobSubmit', () => ({ body: { data: { createPhJob: job(`job-${++n}`, 'Pending') } } }));
    await ph.client().notebook.run({ ...base, notebookPath: 'proj/train.ipynb' });
    const runs = await ph.client().notebook.runSweep({ ...base, notebookPath: 'proj/train.ipynb', sweep: { lr: [1] } });
    await ph.client().notebook.run(base);
    const [one, swept, plain] = sentCommands().map(s => trackingOf(s.command));
    expect(one).toEqual({ runName: 'train', notebookPath: 'proj/train.ipynb' });
    expect(swept).toEqual({ runName: 'train-lr=1', notebookPath: 'proj/train.ipynb', sweepId: runs[0].sweepId });
    expect(runs[0].sweepId).toMatch(/^train-\d{14}-[0-9a-f]{6}$/);
    expect(runs[0].artifactName).toMatch(/^train-\d{14}-lr=1-output\.ipynb$/);
    // without it, the path the job reads
    expect(plain.notebookPath).toBe('proj/.train-snapshot.ipynb');
    await expect(ph.client().notebook.run({ ...base, notebookPath: '../train.ipynb' })).rejects.toThrow(/notebookPath/);
    await expect(ph.client().notebook.run({ ...base, notebookPath: 'proj/train.py' })).rejects.toThrow(/notebookPath/);
  });

  it('validates parameter values against the declared types before submitting', async () => {
    await expect(ph.client().notebook.run({ ...base, parameters: { epochs: 'many' } })).rejects.toThrow(
      /epochs must be an integer/
    );
    await expect(ph.client().notebook.runSweep({ ...base, sweep: { lr: [0.1, 'fast'] } })).rejects.toThrow(
      /lr must be a number/
    );
    expect(ph.calls('JobSubmit')).toBe(0);
  });

  it('runs a sweep as N jobs with readable names and one output notebook each', async () => {
    let n = 0;
    ph.on('JobSubmit', () => ({ body: { data: { createPhJob: job(`job-${++n}`, 'Pending') } } }));
    const runs = await ph.client().notebook.runSweep({
      ...base,
      parameters: { note: 'x' },
      sweep: { lr: [0.1, 0.01], epochs: [5] },
      outputName: name => `${name}-out.ipynb`
    });
    expect(runs.map(r => r.job.id)).toEqual(['job-1', 'job-2']);
    const sent = sentCommands();
    expect(sent.map(s => s.displayName)).toEqual(['train-lr=0.1-epochs=5', 'train-lr=0.01-epochs=5']);
    expect(sent.map(s => parseNotebookRunScript(s.command)?.output)).toEqual([
      { root: 'volume', path: 'proj/train-lr=0.1-epochs=5-out.ipynb' },
      { root: 'volume', path: 'proj/train-lr=0.01-epochs=5-out.ipynb' }
    ]);
    expect(runs.map(r => r.output)).toEqual([
      { volumePath: 'proj/train-lr=0.1-epochs=5-out.ipynb' },
      { volumePath: 'proj/train-lr=0.01-epochs=5-out.ipynb' }
    ]);
    expect(notebookRunParameters(sent[1].command)).toEqual({ note: 'x', lr: 0.01, epochs: 5 });
  });

  it('names sweep outputs after the notebook and the combination by default', async () => {
    let n = 0;
    ph.on('JobSubmit', () => ({ body: { data: { createPhJob: job(`job-${++n}`, 'Pending') } } }));
    const runs = await ph.client().notebook.runSweep({ ...base, sweep: { lr: [0.5, 2] } });
    expect(runs.map(r => r.artifactName)).toEqual([
      expect.stringMatching(/^train-snapshot-\d{14}-lr=0\.5-output\.ipynb$/),
      expect.stringMatching(/^train-snapshot-\d{14}-lr=2-output\.ipynb$/)
    ]);
  });

  it('a sweep failing at job 3 of 5 tells the caller which jobs exist (error and onSubmitted)', async () => {
    let n = 0;
    ph.on('JobSubmit', () =>
      ++n <= 2
        ? { body: { data: { createPhJob: job(`job-${n}`, 'Pending') } } }
        : {
            status: 500,
            body: { errors: [{ message: 'Context creation failed: Token expired', extensions: { code: 'X' } }] }
          }
    );
    const reported: string[] = [];
    const err = await ph
      .client()
      .notebook.runSweep({
        ...base,
        sweep: { lr: [1, 2, 3, 4, 5] },
        onSubmitted: (r, i, total) => reported.push(`${i + 1}/${total} ${r.job.id}`)
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(PartialSubmissionError);
    expect(err.code).toBe('PARTIAL_SUBMISSION');
    expect(err.submitted.map((r: { job: { id: string } }) => r.job.id)).toEqual(['job-1', 'job-2']);
    expect(err.planned).toBe(5);
    expect(err.cause).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/stopped after 2 of 5 jobs \(job-1, job-2\)/);
    expect(reported).toEqual(['1/5 job-1', '2/5 job-2']);
    expect(ph.calls('JobSubmit')).toBe(3);
  });

  it('a sweep whose first submission fails throws that error as it is', async () => {
    ph.on('JobSubmit', { status: 400, body: { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] } });
    await expect(ph.client().notebook.runSweep({ ...base, sweep: { lr: [1, 2] } })).rejects.toBeInstanceOf(
      ValidationError
    );
  });

  it('refuses an oversized sweep without submitting anything', async () => {
    await expect(
      ph.client().notebook.runSweep({ ...base, sweep: { lr: [1, 2, 3], epochs: [1, 2, 3] }, maxJobs: 4 })
    ).rejects.toThrow(/9 jobs, more than the limit of 4/);
    expect(ph.calls('JobSubmit')).toBe(0);
  });

  it('creates a recurring job that runs the notebook of the volume, and refuses uploaded content', async () => {
    ph.data('ScheduleCreate', { createPhSchedule: { id: 'sched-1', displayName: 'train' } });
    const made = await ph.client().notebook.schedule({
      ...base,
      notebook: { volumePath: 'proj/train.ipynb' },
      parameters: { lr: 0.5 },
      outputName: 'train-nightly.ipynb',
      recurrence: { type: 'daily' }
    });
    expect(made.artifactName).toBe('train-nightly.ipynb');
    // each run's output beside the notebook is named after its job
    expect(made.outputOf('job-1')).toEqual({ volumePath: 'proj/train-nightly-job-1.ipynb' });
    const data = ph.seen.find(s => s.operationName === 'ScheduleCreate')?.variables.data as { command: string };
    expect(parseNotebookRunScript({ id: 'job-1', command: data.command })).toMatchObject({
      input: { root: 'volume', path: 'proj/train.ipynb' },
      output: { root: 'volume', path: 'proj/train-nightly-job-1.ipynb' },
      outputPerRun: true,
      parameters: { lr: 0.5 }
    });
    await expect(
      ph.client().notebook.schedule({
        ...base,
        notebook: { content: '{}', name: 'a.ipynb' } as never,
        recurrence: { type: 'daily' }
      })
    ).rejects.toThrow(/group volume/);
  });
});

it('the mock endpoint is the documented GraphQL path', () => {
  expect(ENDPOINT).toBe(`${ORIGIN}/api/graphql`);
});
