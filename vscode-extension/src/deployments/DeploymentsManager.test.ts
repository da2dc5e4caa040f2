import type { Deployment, DeploymentDetail, PrimeHubClient } from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import { Logger, NULL_SINK } from '../logger/Logger';
import { MemoryStore } from '../testing/fakes';
import { DeploymentsManager } from './DeploymentsManager';

const listed = (id: string, over: Partial<Deployment> = {}): Deployment => ({
  id,
  name: id.split('-')[0],
  modelImage: 'seldonio/mlflowserver:1.17.1',
  imagePullSecret: null,
  description: null,
  replicas: 1,
  stop: false,
  endpointAccessType: 'public',
  endpointClients: [],
  status: 'Deployed',
  endpoint: `http://h/deployment/${id}/api/v1.0/predictions`,
  availableReplicas: 1,
  message: null,
  ...over
});

/** A signed-in connection whose client answers from `deployments` (by id) and records the calls. */
function setup() {
  const deployments = new Map<string, Deployment & { modelURI?: string }>([
    ['iris-aaaaa', { ...listed('iris-aaaaa'), modelURI: 'models:/iris/1' }],
    ['echo-bbbbb', { ...listed('echo-bbbbb', { status: 'Deploying', availableReplicas: 0 }), modelURI: 'phfs:///m/' }]
  ]);
  const calls: string[] = [];
  let failList: Error | undefined;
  const client = {
    deployments: {
      list: async () => {
        calls.push('list');
        if (failList) {
          throw failList;
        }
        return [...deployments.values()];
      },
      get: async (id: string) => {
        calls.push(`get ${id}`);
        const d = deployments.get(id);
        if (!d) {
          throw new Error(`no ${id}`);
        }
        return { ...d, lastUpdatedTime: '2026-01-01T00:00:00Z', instanceType: { name: 'cpu-1' } } as DeploymentDetail;
      },
      wait: async (id: string, opts: { onStatus?: (s: string) => void }) => {
        opts.onStatus?.('Deploying');
        deployments.get(id)!.status = 'Deployed';
        opts.onStatus?.('Deployed');
        return { status: 'Deployed', stop: false };
      },
      delete: async (id: string) => {
        deployments.delete(id);
        return { id };
      }
    },
    models: {
      list: async () => {
        calls.push('models');
        return [
          {
            name: 'iris',
            latestVersions: [
              { name: 'iris', version: '1' },
              { name: 'iris', version: '3' }
            ]
          }
        ];
      },
      version: async (name: string, version: string) => ({
        name,
        version,
        // version 2: an MLflow 3 logged model, which names no folder
        source: version === '2' ? 'models:/m-123' : 'mlflow-artifacts:/1/r1/artifacts/model',
        run: {
          info: { runId: 'r1', artifactUri: 'mlflow-artifacts:/1/r1/artifacts' },
          data: {
            tags:
              version === '2'
                ? []
                : [
                    {
                      key: 'mlflow.log-model.history',
                      value: JSON.stringify([{ artifact_path: 'model', flavors: { python_function: {}, sklearn: {} } }])
                    }
                  ]
          }
        }
      }),
      mlflowArtifact: async (runId: string, path: string) => [
        { path: `${path}/MLmodel`, is_dir: false },
        { path: `${path}/model.pkl`, is_dir: false }
      ]
    },
    files: {
      list: async () => [{ name: 'model.joblib', isDirectory: false }],
      phfsUri: (p: string) => `phfs://${p}`
    },
    jobs: { artifactPath: (id: string, name = '') => `/jobArtifacts/${id}/${name}` }
  } as unknown as PrimeHubClient;
  const noted: unknown[] = [];
  const connection = {
    state: 'signedIn',
    client,
    profile: { id: 'p1', group: 'phusers' },
    call: <T>(fn: (c: PrimeHubClient) => Promise<T>) => fn(client),
    noteError: (e: unknown) => noted.push(e)
  } as unknown as ConnectionManager;
  const manager = new DeploymentsManager(connection, new Logger(NULL_SINK, 'test'), new MemoryStore());
  return { manager, calls, deployments, noted, failListing: (e?: Error) => (failList = e) };
}

describe('DeploymentsManager', () => {
  it('lists the deployments with their specs and the newest version of the models they serve', async () => {
    const { manager, calls } = setup();
    await manager.refresh();
    const m = manager.model;
    expect(m.deployments.map(d => [d.id, d.modelURI, d.instanceType?.name])).toEqual([
      ['echo-bbbbb', 'phfs:///m/', 'cpu-1'],
      ['iris-aaaaa', 'models:/iris/1', 'cpu-1']
    ]);
    expect(m.latestVersionOf('iris')).toBe('3');
    expect(m.moving).toBe(true);
    expect(calls.sort()).toEqual(['get echo-bbbbb', 'get iris-aaaaa', 'list', 'models']);
  });

  it('keeps what it listed when a refresh fails, and says when', async () => {
    const { manager, failListing, noted } = setup();
    await manager.refresh();
    const boom = new Error('ECONNREFUSED');
    failListing(boom);
    await expect(manager.refresh()).rejects.toBe(boom);
    expect(manager.model.deployments).toHaveLength(2);
    expect(manager.model.error).toBe(boom);
    expect(manager.model.failedAt).toBeInstanceOf(Date);
    expect(noted).toEqual([boom]);
  });

  it('follows a deployment to a stable status, telling each one, and forgets a deleted one', async () => {
    const { manager } = setup();
    const seen: string[] = [];
    const settled = await manager.settle('echo-bbbbb', undefined, s => seen.push(s));
    expect(seen).toEqual(['Deploying', 'Deployed']);
    expect(settled.status).toBe('Deployed');
    expect(manager.model.get('echo-bbbbb')?.status).toBe('Deployed');
    await manager.requests.setLast(manager.requestKey('echo-bbbbb'), { form: 'strData', text: 'x' });
    await manager.delete('echo-bbbbb');
    expect(manager.model.get('echo-bbbbb')).toBeUndefined();
    expect(manager.requests.last(manager.requestKey('echo-bbbbb'))).toBeUndefined();
  });

  it("suggests the model server from a registered version's files and flavours, or a PHFS folder's files", async () => {
    const { manager } = setup();
    await expect(manager.hintsFor('models:/iris/1')).resolves.toMatchObject({
      server: { image: 'seldonio/mlflowserver:1.17.1' },
      reason:
        'an MLflow model (MLmodel with the sklearn flavour); it answers class labels, the scikit-learn server probabilities'
    });
    await expect(manager.hintsFor('models:/iris/2')).resolves.toMatchObject({
      server: { image: 'seldonio/mlflowserver:1.17.1' },
      reason: 'an MLflow model (MLmodel)'
    });
    await expect(manager.hintsFor('phfs:///jobArtifacts/j1/')).resolves.toMatchObject({
      server: { image: 'infuseai/sklearn-prepackaged:v0.1.0' },
      reason: 'a scikit-learn model (model.joblib)'
    });
    expect(manager.jobArtifactUri('j1', 'model/')).toBe('phfs:///jobArtifacts/j1/model/');
    expect(manager.jobArtifactUri('j1', '')).toBe('phfs:///jobArtifacts/j1/');
  });
});
