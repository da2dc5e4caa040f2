import { MlflowHttp } from '../mlflow/MlflowHttp';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultFieldResolver,
  execute,
  getNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isLeafType,
  isObjectType,
  parse
} from 'graphql';
import { DataDir } from '../DataDir';
import { openDatabase, type Db } from '../db/Database';
import { IdentityStore, type UserRow } from '../db/IdentityStore';
import { DeploymentStore } from '../db/DeploymentStore';
import { JobStore } from '../db/JobStore';
import type { DeploymentRunner } from '../deployments/DeploymentRunner';
import { DeploymentService } from '../deployments/DeploymentService';
import { ScheduleStore } from '../db/ScheduleStore';
import type { JobRunner } from '../jobs/JobRunner';
import { JobService } from '../jobs/JobService';
import { Phfs } from '../phfs/Phfs';
import type { Scheduler } from '../schedules/Scheduler';
import { DEFAULT_ADMIN, DEFAULT_GROUP, seedDefaults } from '../seed';
import type { Services } from '../Services';
import { ListBudget } from './costLimits';
import { createSchema } from './schema';

/** Served object types PrimeHub Local never fills: their lists are always empty here (as on a cluster without them). */
const NEVER_PRODUCED = ['Dataset', 'Toleration'];

/** Root fields and the arguments the all-fields operations give them. */
const MUTATIONS: Record<string, string> = {
  createPhJob:
    '(data: { displayName: "j", groupId: $g, instanceType: "cpu-1", image: "base-notebook", command: "true" })',
  createPhSchedule:
    '(data: { displayName: "s", groupId: $g, instanceType: "cpu-1", image: "base-notebook", command: "true", recurrence: { type: "daily" } })',
  createPhDeployment:
    '(data: { id: "iris-1", name: "iris", groupId: $g, instanceType: "cpu-1", modelImage: "sklearn", modelURI: "phfs:///iris", endpointAccessType: "private", env: [{ name: "A", value: "1" }], metadata: { k: "v" } })',
  createPhDeploymentClient: '(data: { deploymentId: "iris-1", name: "c1" })'
};
const LATER_MUTATIONS: Record<string, string> = {
  cancelPhJob: '(where: { id: $j })',
  rerunPhJob: '(where: { id: $j })',
  updatePhSchedule: '(where: { id: $s }, data: { displayName: "s2" })',
  runPhSchedule: '(where: { id: $s })',
  deletePhSchedule: '(where: { id: $s })',
  deleteFiles: '(where: { phfsPrefix: "/nothing-here", groupName: "phusers" })',
  registerModel: '(where: { group: "phusers", name: "iris", runId: "r1", path: "model" })',
  updatePhDeployment: '(where: { id: "iris-1" }, data: { replicas: 1 })',
  stopPhDeployment: '(where: { id: "iris-1" })',
  deployPhDeployment: '(where: { id: "iris-1" })',
  deletePhDeploymentClient: '(where: { deploymentId: "iris-1", name: "c1" })',
  deletePhDeployment: '(where: { id: "iris-1" })'
};
const QUERIES: Record<string, string> = {
  me: '',
  group: '(where: { id: $g })',
  groups: '',
  timezone: '',
  license: '',
  phJob: '(where: { id: $j })',
  phJobs: '',
  phJobsConnection: '',
  phSchedule: '(where: { id: $s })',
  phSchedules: '',
  phSchedulesConnection: '',
  files: '(where: { phfsPrefix: "/", groupName: "phusers" }, options: { recursive: true })',
  mlflow: '(where: { group: "phusers" })',
  models: '(where: { group: "phusers" })',
  model: '(where: { group: "phusers", name: "iris" })',
  modelVersions: '(where: { group: "phusers", name: "iris" })',
  modelVersionsConnection: '(where: { group: "phusers", name: "iris" }, page: 1)',
  modelVersion: '(where: { group: "phusers", name: "iris", version: "1" })',
  mlflowRuns: '(where: { group: "phusers", experimentName: "iris" })',
  mlflowArtifact: '(where: { group: "phusers", runId: "r1", path: "model" })',
  phDeployment: '(where: { id: "iris-1" })',
  phDeploymentAvail: '(where: { id: "iris-2" })',
  phDeployments: '',
  phDeploymentsConnection: ''
};

/**
 * MLflow's REST answers the models resolvers read, for this test of the served fields only (the
 * models resolvers against a real MLflow: test/client/models.test.ts). Run r1 logged the model
 * `model` (MLflow 3's logged models) and has version 1 of `iris`.
 */
function fakeMlflow(): Server {
  const version = {
    name: 'iris',
    version: '1',
    creation_timestamp: 1,
    last_updated_timestamp: 2,
    source: 'models:/m-1',
    run_id: 'r1'
  };
  const run = {
    info: {
      run_id: 'r1',
      experiment_id: '1',
      status: 'FINISHED',
      start_time: 1,
      end_time: 2,
      artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
      lifecycle_stage: 'active'
    },
    data: { params: [{ key: 'C', value: '1' }], metrics: [{ key: 'accuracy', value: 0.9 }] },
    outputs: { model_outputs: [{ model_id: 'm-1', step: 0 }] }
  };
  const answers: Record<string, unknown> = {
    'registered-models/search': {
      registered_models: [
        { name: 'iris', creation_timestamp: 1, last_updated_timestamp: 2, latest_versions: [version] }
      ]
    },
    'registered-models/get': {
      registered_model: { name: 'iris', creation_timestamp: 1, last_updated_timestamp: 2, latest_versions: [version] }
    },
    'model-versions/search': { model_versions: [version] },
    'model-versions/get': { model_version: version },
    'registered-models/create': { registered_model: { name: 'iris' } },
    'model-versions/create': { model_version: { ...version, version: '2' } },
    'runs/get': { run },
    'runs/search': { runs: [run] },
    'experiments/get-by-name': { experiment: { experiment_id: '1', name: 'iris' } },
    'artifacts/list': { root_uri: 'mlflow-artifacts:/1/r1/artifacts' },
    'logged-models/m-1': { model: { info: { model_id: 'm-1', name: 'model' } } },
    'logged-models/m-1/artifacts/directories': {
      root_uri: 'mlflow-artifacts:/1/models/m-1/artifacts',
      files: [{ path: 'MLmodel', is_dir: false, file_size: 10 }]
    }
  };
  return createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname.replace('/api/2.0/mlflow/', '');
    const answer = answers[path];
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { error_code: 'ENDPOINT_NOT_FOUND', message: path }));
  });
}

/** Every field of `type`, objects expanded `depth` levels deep (deep enough to reach every served type once). */
function selectAll(type: GraphQLObjectType, depth: number): string {
  return Object.values(type.getFields())
    .flatMap(f => {
      const named = getNamedType(f.type);
      if (isLeafType(named)) {
        return [f.name];
      }
      return depth > 0 && isObjectType(named) ? [`${f.name} { ${selectAll(named, depth - 1)} }`] : [];
    })
    .join(' ');
}

/**
 * The served fields and the resolvers are listed apart (scripts/prune-schema.mjs, the resolver maps and the
 * objects they return): a served field nobody fills answers null, a filled property nobody serves is dead.
 * Every served field is selected here through the real resolvers over real stores, both ways checked.
 */
describe('served fields and resolvers match both ways', () => {
  let dir: string;
  let db: Db;
  let schema: GraphQLSchema;
  let services: Services;
  let admin: UserRow;
  let mlflow: Server;
  const mlflowHttp = new MlflowHttp();
  /** `Type.field` some object had a property or a resolver for; every served field must end up here. */
  const filled = new Set<string>();
  /** `Type.property` an object carried that the schema does not serve. */
  const unserved = new Set<string>();
  const reached = new Set<string>();

  beforeAll(async () => {
    mlflow = fakeMlflow();
    await new Promise<void>(resolve => mlflow.listen(0, '127.0.0.1', resolve));
    const mlflowUrl = `http://127.0.0.1:${(mlflow.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'phl-served-'));
    const dirs = new DataDir(dir);
    dirs.create();
    db = openDatabase(dirs.database);
    const identity = new IdentityStore(db);
    seedDefaults(identity);
    const jobs = new JobStore(db);
    const deployments = new DeploymentStore(db);
    // replicas are not started here (test/deployments runs real ones): one ready pod is listed
    const deploymentRunner = {
      pods: () => [{ name: 'deploy-iris-1-abcde-0', phase: 'Running', ready: true }],
      deploy: async () => undefined,
      stop: async () => undefined,
      remove: async () => undefined
    } as unknown as DeploymentRunner;
    services = {
      deployments,
      deploymentRunner,
      deploymentService: new DeploymentService(identity, deployments, deploymentRunner),
      dirs,
      identity,
      jobs,
      schedules: new ScheduleStore(db),
      jobService: new JobService(identity, jobs, () => undefined),
      runner: { cancel: async () => undefined } as unknown as JobRunner,
      scheduler: { reschedule: () => undefined } as unknown as Scheduler,
      phfs: new Phfs(dirs),
      localMlflow: {
        url: () => mlflowUrl,
        trackingEnvs: () => ({ MLFLOW_TRACKING_USERNAME: 'phusers' }),
        uiUrl: g => `http://local/mlflow-ui/${g}/`
      },
      mlflowHttp,
      publicUrl: () => 'http://127.0.0.1:8321'
    };
    admin = identity.userByName(DEFAULT_ADMIN)!;
    schema = createSchema();
    const seen = new WeakSet<object>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getQueryType()) {
        continue;
      }
      if (type === schema.getMutationType()) {
        continue;
      }
      const served = new Set(Object.keys(type.getFields()));
      for (const field of Object.values(type.getFields())) {
        const own = field.resolve;
        field.resolve = (source, args, ctx, info) => {
          reached.add(type.name);
          if (source && typeof source === 'object' && !seen.has(source)) {
            seen.add(source);
            for (const key of Object.keys(source)) {
              if (!served.has(key)) {
                unserved.add(`${type.name}.${key}`);
              }
            }
          }
          if (own || (source && typeof source === 'object' && field.name in source)) {
            filled.add(`${type.name}.${field.name}`);
          }
          return (own ?? defaultFieldResolver)(source, args, ctx, info);
        };
      }
    }
  });

  afterAll(async () => {
    await mlflowHttp.close();
    mlflow.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (text: string, variables: Record<string, unknown>) => {
    const result = await execute({
      schema,
      document: parse(text),
      variableValues: variables,
      contextValue: { user: admin, services, budget: new ListBudget() }
    });
    expect(result.errors?.map(e => `${e.path?.join('.')}: ${e.message}`)).toBeUndefined();
    return result.data as Record<string, { id?: string; job?: { id: string } }>;
  };

  test('every root field has a resolver, and every resolver is for a served field', () => {
    for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
      const names = Object.keys(root.getFields()).sort();
      expect({ root: root.name, names }).toEqual({
        root: root.name,
        names: Object.keys(root === schema.getQueryType() ? QUERIES : { ...MUTATIONS, ...LATER_MUTATIONS }).sort()
      });
      for (const field of Object.values(root.getFields())) {
        expect(`${root.name}.${field.name}: ${typeof field.resolve}`).toBe(`${root.name}.${field.name}: function`);
      }
    }
  });

  test('every served field of every object type is filled, and nothing unserved is', async () => {
    const group = services.identity.groupByName(DEFAULT_GROUP)!;
    const mutation = schema.getMutationType()!;
    const query = schema.getQueryType()!;
    const fields = (root: GraphQLObjectType, args: Record<string, string>) =>
      Object.entries(args)
        .map(([name, a]) => {
          const type = getNamedType(root.getFields()[name].type);
          return isObjectType(type) ? `${name}${a} { ${selectAll(type, 3)} }` : `${name}${a}`;
        })
        .join(' ');
    const created = await run(`mutation ($g: String) { ${fields(mutation, MUTATIONS)} }`, { g: group.id });
    const jobId = created.createPhJob.id!;
    const scheduleId = created.createPhSchedule.id!;
    // An artifact and a file, so that their item types are filled too.
    const artifacts = join(services.dirs.groupPhfs(DEFAULT_GROUP), 'jobArtifacts', jobId);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'out.txt'), 'x');
    const ids = { g: group.id, j: jobId, s: scheduleId };
    await run(`query ($g: ID!, $j: ID!, $s: ID!) { ${fields(query, QUERIES)} }`, ids);
    // Numbered pages fill the other half of PageInfo (and selecting hasNextPage with them fails, as on PrimeHub).
    await run('{ phJobsConnection(page: 1) { pageInfo { totalPage currentPage } } }', {});
    await run(`mutation ($j: ID!, $s: ID!) { ${fields(mutation, LATER_MUTATIONS)} }`, { j: jobId, s: scheduleId });

    const unfilled = [...reached].flatMap(name =>
      Object.keys((schema.getType(name) as GraphQLObjectType).getFields())
        .map(f => `${name}.${f}`)
        .filter(f => !filled.has(f))
    );
    expect(unfilled.sort()).toEqual([]);
    expect([...unserved].sort()).toEqual([]);
    const objectTypes = Object.values(schema.getTypeMap())
      .filter(t => isObjectType(t) && !t.name.startsWith('__') && t !== query && t !== mutation)
      .map(t => t.name);
    expect([...reached].sort()).toEqual(objectTypes.filter(t => !NEVER_PRODUCED.includes(t)).sort());
  });
});
