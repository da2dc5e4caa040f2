import {
  FeatureUnavailableError,
  GraphqlError,
  type Job,
  type Model,
  type PrimeHubClient
} from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import { Logger, NULL_SINK } from '../logger/Logger';
import { MemoryStore } from '../testing/fakes';
import { ModelsManager } from './ModelsManager';
import { statusOfError } from './ModelsModel';
import { modelsViewMessage } from './modelsText';

function model(name: string, latest: string[] = []): Model {
  return {
    name,
    creationTimestamp: '1700000000000',
    lastUpdatedTimestamp: null,
    description: null,
    latestVersions: latest.map(version => ({ name, version }))
  };
}

function version(name: string, v: string) {
  return { name, version: v, creationTimestamp: '1700000000000', lastUpdatedTimestamp: null, deployedBy: [] };
}

/** PrimeHub's "MLflow is not reachable" answer (PrimeHub Local's words). */
const unreachable = () => new GraphqlError('MLflow is not reachable at http://127.0.0.1:5999: ECONNREFUSED');

/** A signed-in connection whose client answers the models calls from `registry` and counts them. */
function setup(jobs: Job[] = []) {
  const registry = new Map<string, string[]>([['iris', ['1', '2']]]);
  const calls: string[] = [];
  let fail: (() => Error) | undefined;
  const answer = async <T>(what: string, value: () => T): Promise<T> => {
    calls.push(what);
    if (fail) {
      throw fail();
    }
    return value();
  };
  const client = {
    models: {
      list: () => answer('list', () => [...registry].map(([n, vs]) => model(n, [vs[vs.length - 1]]))),
      versions: (name: string) =>
        answer(`versions ${name}`, () => (registry.get(name) ?? []).map(v => version(name, v))),
      version: (name: string, v: string) =>
        answer(`version ${name} ${v}`, () => ({
          ...version(name, v),
          run: { info: { runId: 'r1', experimentId: '1' }, data: { params: [{ key: 'C', value: '1' }] } },
          mlflow: { trackingUri: 'http://m', uiUrl: 'http://m' }
        })),
      mlflowArtifact: (runId: string, path?: string) =>
        answer(`artifacts ${path ?? ''}`, () =>
          path === undefined
            ? [
                { path: 'notes', is_dir: true },
                { path: 'model', is_dir: true }
              ]
            : path === 'model'
              ? [{ path: 'model/MLmodel', is_dir: false }]
              : [{ path: `${path}/x.txt`, is_dir: false }]
        ),
      register: (spec: { name: string }) =>
        answer('register', () => {
          const vs = registry.get(spec.name) ?? [];
          vs.push(String(vs.length + 1));
          registry.set(spec.name, vs);
          return { name: spec.name, version: vs[vs.length - 1] };
        }),
      modelUri: (n: string, v: string) => `models:/${n}/${v}`
    },
    jobs: {
      async *iterate() {
        calls.push('jobs');
        yield* jobs;
      }
    }
  } as unknown as PrimeHubClient;
  const noted: unknown[] = [];
  const connection = {
    state: 'signedIn',
    client,
    profile: { id: 'p1', group: 'phusers' },
    call: async <T>(fn: (c: PrimeHubClient) => Promise<T>) => {
      try {
        return await fn(client);
      } catch (e) {
        noted.push(e);
        throw e;
      }
    },
    noteError: (e: unknown) => noted.push(e)
  } as unknown as ConnectionManager;
  const known: Job[] = [];
  const manager = new ModelsManager(connection, new Logger(NULL_SINK, 'test'), () => known, new MemoryStore());
  return { manager, registry, calls, noted, known, setFail: (f?: () => Error) => (fail = f) };
}

describe('ModelsManager', () => {
  it('lists models; versions are read when first looked at and then again with every refresh', async () => {
    const { manager, calls, registry } = setup();
    await manager.refresh();
    expect(manager.model.models.map(m => m.name)).toEqual(['iris']);
    expect(calls).toEqual(['list']);
    expect((await manager.versions('iris')).map(v => v.version)).toEqual(['2', '1']);
    await manager.versions('iris');
    expect(calls).toEqual(['list', 'versions iris']);
    registry.get('iris')!.push('3');
    await manager.refresh();
    expect(calls).toEqual(['list', 'versions iris', 'list', 'versions iris']);
    expect(manager.model.versionsOf('iris')?.map(v => v.version)).toEqual(['3', '2', '1']);
  });

  it("reads a version's run once (params, the MLflow UI)", async () => {
    const { manager, calls } = setup();
    const detail = await manager.versionDetail('iris', '1');
    await manager.versionDetail('iris', '1');
    expect(detail.run).toMatchObject({ runId: 'r1', experimentId: '1', params: [['C', '1']] });
    expect(detail.mlflow?.uiUrl).toBe('http://m');
    expect(calls).toEqual(['version iris 1']);
  });

  it('a manual refresh reads the runs again, but keeps the ones shown while MLflow does not answer', async () => {
    const { manager, setFail } = setup();
    await manager.versionDetail('iris', '1');
    setFail(unreachable);
    await expect(manager.refresh(undefined, true)).rejects.toThrow(/not reachable/);
    expect(manager.model.detailOf('iris', '1')).toBeDefined();
    setFail(undefined);
    await manager.refresh(undefined, true);
    expect(manager.model.detailOf('iris', '1')).toBeUndefined();
  });

  it('a group without MLflow: the view says so, no models, and it is no error to report', async () => {
    const { manager, setFail } = setup();
    await manager.refresh();
    setFail(() => new FeatureUnavailableError('group phusers has no MLflow settings'));
    await expect(manager.refresh()).rejects.toBeInstanceOf(FeatureUnavailableError);
    expect(manager.model.status).toBe('unavailable');
    expect(manager.model.models).toEqual([]);
    // said by the view's welcome content instead
    expect(modelsViewMessage(manager.model)).toBeUndefined();
  });

  it('MLflow down: the models stay as last seen with "MLflow is not reachable…"; the next refresh recovers', async () => {
    const { manager, setFail, noted } = setup();
    await manager.refresh();
    setFail(unreachable);
    await expect(manager.refresh()).rejects.toThrow(/not reachable/);
    expect(manager.model.status).toBe('unreachable');
    expect(manager.model.models.map(m => m.name)).toEqual(['iris']);
    expect(modelsViewMessage(manager.model)).toMatch(
      /^MLflow is not reachable at http:\/\/127\.0\.0\.1:5999: ECONNREFUSED\. Models as last seen at .+\. The view refreshes by itself when MLflow answers again\.$/
    );
    // the reachability monitor hears of it (it tells PrimeHub's own outages from MLflow's)
    expect(noted).toHaveLength(1);
    setFail(undefined);
    await manager.refresh();
    expect(manager.model.status).toBe('ready');
    expect(modelsViewMessage(manager.model)).toBeUndefined();
  });

  it('classifies errors', () => {
    expect(statusOfError(new FeatureUnavailableError('x'))).toBe('unavailable');
    expect(statusOfError(unreachable())).toBe('unreachable');
    expect(statusOfError(new Error('boom'))).toBe('error');
  });

  it('offers the folders of a run, the ones holding MLmodel first', async () => {
    const { manager } = setup();
    expect(await manager.artifactFolders('r1')).toEqual([
      { path: 'model', isModel: true },
      { path: 'notes', isModel: false }
    ]);
  });

  it('registers and lists the new version at once', async () => {
    const { manager } = setup();
    await manager.refresh();
    await manager.versions('iris');
    expect(await manager.register({ name: 'iris', runId: 'r1', path: 'model' })).toEqual({
      name: 'iris',
      version: '3'
    });
    expect(manager.model.versionsOf('iris')?.map(v => v.version)).toEqual(['3', '2', '1']);
    await manager.register({ name: 'wine', runId: 'r1', path: 'model' });
    expect(manager.model.models.map(m => m.name)).toEqual(['iris', 'wine']);
  });

  it("suggests experiments used before, then those of the group's notebook jobs (read when the Jobs view has none)", async () => {
    const { manager, calls } = setup();
    expect(await manager.experimentSuggestions()).toEqual([]);
    expect(calls).toEqual(['jobs']);
    await manager.rememberExperiment('iris');
    await manager.rememberExperiment('wine');
    await manager.rememberExperiment('iris');
    expect((await manager.experimentSuggestions()).map(s => [s.name, s.source])).toEqual([
      ['iris', 'used before'],
      ['wine', 'used before']
    ]);
  });
});
