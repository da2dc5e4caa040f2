import type { GroupRow } from '../db/IdentityStore';
import { ApiError, ErrorCode, invalidInput, mlflowSettingNotFound, notAuth } from '../errors';
import { requireGroupMlflow, type MlflowSetting } from '../mlflow/groupMlflow';
import { isAlreadyThere, MlflowRest } from '../mlflow/MlflowRest';
import type { Context } from './context';

/** PrimeHub's page size (`ITEMS_PER_PAGE`). */
const PAGE_SIZE = 10;
/** MLflow's largest page of model versions and of runs. */
const VERSIONS_PAGE = 10_000;
const RUNS_PAGE = 1_000;
/** Model names that stay one segment of `models:/<name>/<version>` and of a URL. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  source?: string;
  run_id?: string;
}

interface MlflowRegisteredModel {
  name: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  latest_versions?: MlflowModelVersion[];
}

interface MlflowRun {
  info: Record<string, unknown> & { run_id?: string };
  data?: { metrics?: unknown[]; params?: { key: string; value: string }[]; tags?: unknown[] };
}

interface ArtifactList {
  root_uri?: string;
  files?: { path: string; is_dir?: boolean; file_size?: number }[];
}

/** An MLflow 3 logged model (`mlflow.<flavor>.log_model`, autolog): its files live outside the run's artifacts. */
interface LoggedModel {
  model_id: string;
  name: string;
}

/** The models a run logged (MLflow 3 `outputs.model_outputs`; none on MLflow 2). */
async function loggedModels(rest: MlflowRest, runId: string): Promise<LoggedModel[]> {
  const { run } = await rest.get<{ run: { outputs?: { model_outputs?: { model_id: string }[] } } }>(
    'runs/get',
    { run_id: runId },
    `run ${runId}`
  );
  const ids = [...new Set((run.outputs?.model_outputs ?? []).map(o => o.model_id))];
  return Promise.all(
    ids.map(async id => {
      const { model } = await rest.get<{ model: { info: LoggedModel } }>(`logged-models/${encodeURIComponent(id)}`);
      return { model_id: model.info.model_id, name: model.info.name };
    })
  );
}

/**
 * A run's artifacts below `path` as MLflow's `artifacts/list` answers, with the run's MLflow 3 logged
 * models shown as folders named after them, as MLflow's own Python client lists a run's artifacts:
 * `model/` of a run that called `log_model(..., name='model')` holds that model's `MLmodel`.
 */
async function runArtifacts(
  rest: MlflowRest,
  runId: string,
  path: string
): Promise<{ listing: ArtifactList; model?: LoggedModel }> {
  const listing = await rest.get<ArtifactList>(
    'artifacts/list',
    { run_id: runId, path: path || undefined },
    `run ${runId}`
  );
  if (path && (listing.files ?? []).length > 0) {
    return { listing };
  }
  const models = await loggedModels(rest, runId);
  if (!path) {
    const files = listing.files ?? [];
    const folders = models.filter(m => !files.some(f => f.path === m.name)).map(m => ({ path: m.name, is_dir: true }));
    return { listing: { ...listing, files: [...files, ...folders] } };
  }
  const [head, ...rest_] = path.split('/');
  const model = models.find(m => m.name === head);
  if (!model) {
    return { listing };
  }
  const inner = await rest.get<ArtifactList>(
    `logged-models/${encodeURIComponent(model.model_id)}/artifacts/directories`,
    { artifact_directory_path: rest_.join('/') || undefined }
  );
  const files = (inner.files ?? []).map(f => ({ ...f, path: `${head}/${f.path}` }));
  return { listing: { root_uri: listing.root_uri, files }, model: rest_.length === 0 ? model : undefined };
}

/** The group named `name` if the caller is in it (PrimeHub's models resolvers take group names). */
function memberGroup(ctx: Context, name: string | undefined | null): GroupRow {
  const group = name ? ctx.services.identity.groupByName(name) : undefined;
  if (!group) {
    throw mlflowSettingNotFound(name ?? '');
  }
  if (!ctx.services.identity.isMember(ctx.user.id, group.id)) {
    throw notAuth();
  }
  return group;
}

function mlflowOf(
  ctx: Context,
  groupName: string | undefined | null
): { setting: MlflowSetting; rest: MlflowRest; deployedBy: DeployedBy } {
  const group = memberGroup(ctx, groupName);
  const setting = requireGroupMlflow(group, ctx.services.localMlflow);
  // PrimeHub's resolver: the group's deployments whose model URI is the version's, as `{id, name}`
  const deployedBy: DeployedBy = uri =>
    ctx.services.deployments
      .inGroup(group.id)
      .filter(d => d.model_uri === uri)
      .map(d => ({ id: d.id, name: d.display_name }));
  return { setting, rest: new MlflowRest(setting, ctx.services.mlflowHttp), deployedBy };
}

/** The deployments (`{id, name}`) of the group that serve a model URI. */
type DeployedBy = (modelUri: string) => { id: string; name: string }[];

/** `MLflowSetting` as the schema has it: env maps as `[EnvVar]`. */
export function mlflowSettingObject(setting: MlflowSetting | null) {
  if (!setting) {
    return null;
  }
  const envs = (map: Record<string, string>) => Object.entries(map).map(([name, value]) => ({ name, value }));
  return {
    trackingUri: setting.trackingUri,
    uiUrl: setting.uiUrl,
    trackingEnvs: envs(setting.trackingEnvs),
    artifactEnvs: envs(setting.artifactEnvs)
  };
}

/** PrimeHub's run object (`mlflowRuns`, a version's `run`): camelCase `info` (with the run's name), params sorted by key. */
function runObject(run: MlflowRun) {
  const i = run.info;
  const params = [...(run.data?.params ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    info: {
      runId: i.run_id,
      runName: i.run_name,
      experimentId: i.experiment_id,
      status: i.status,
      startTime: i.start_time,
      endTime: i.end_time,
      artifactUri: i.artifact_uri,
      lifecycleStage: i.lifecycle_stage
    },
    data: { metrics: run.data?.metrics ?? [], params, tags: run.data?.tags ?? [] }
  };
}

function versionObject(v: MlflowModelVersion, rest: MlflowRest, deployedBy: DeployedBy) {
  const modelURI = `models:/${encodeURIComponent(v.name)}/${v.version}`;
  return {
    name: v.name,
    version: v.version,
    creationTimestamp: v.creation_timestamp,
    lastUpdatedTimestamp: v.last_updated_timestamp,
    description: v.description ?? '',
    source: v.source,
    // fetched only when asked for
    run: async () =>
      v.run_id
        ? runObject((await rest.get<{ run: MlflowRun }>('runs/get', { run_id: v.run_id }, `run ${v.run_id}`)).run)
        : null,
    modelURI,
    // looked up only when asked for
    deployedBy: () => deployedBy(modelURI)
  };
}

function modelObject(m: MlflowRegisteredModel, rest: MlflowRest, deployedBy: DeployedBy) {
  return {
    name: m.name,
    creationTimestamp: m.creation_timestamp,
    lastUpdatedTimestamp: m.last_updated_timestamp,
    description: m.description ?? '',
    latestVersions: (m.latest_versions ?? []).map(v => versionObject(v, rest, deployedBy))
  };
}

/** Every version of a model, newest first, through MLflow's pages. */
async function allVersions(ctx: Context, rest: MlflowRest, name: string): Promise<MlflowModelVersion[]> {
  const all: MlflowModelVersion[] = [];
  let token: string | undefined;
  do {
    const page = await rest.get<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>(
      'model-versions/search',
      { filter: `name='${name.replace(/'/g, "\\'")}'`, max_results: VERSIONS_PAGE, page_token: token }
    );
    const versions = page.model_versions ?? [];
    ctx.budget.take(versions.length);
    all.push(...versions);
    token = page.next_page_token || undefined;
  } while (token);
  return all.sort((a, b) => Number(b.version) - Number(a.version));
}

function pageOf<T>(items: T[], page: number | undefined) {
  const current = page && page > 0 ? page : 1;
  const totalPage = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  return {
    items: items.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE),
    pageInfo: {
      currentPage: current,
      totalPage,
      hasNextPage: current < totalPage,
      hasPreviousPage: current > 1,
      startCursor: null,
      endCursor: null
    }
  };
}

type Where<T> = { where: T };

export const modelResolvers = {
  Query: {
    mlflow: (_: unknown, { where }: Where<{ group?: string }>, ctx: Context) =>
      mlflowSettingObject(requireGroupMlflow(memberGroup(ctx, where.group), ctx.services.localMlflow)),

    models: async (_: unknown, { where }: Where<{ group?: string }>, ctx: Context) => {
      const { rest, deployedBy } = mlflowOf(ctx, where.group);
      const all: MlflowRegisteredModel[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await rest.get<{ registered_models?: MlflowRegisteredModel[]; next_page_token?: string }>(
            'registered-models/search',
            { max_results: 1000, page_token: token }
          );
          const models = page.registered_models ?? [];
          ctx.budget.take(models.length);
          all.push(...models);
          token = page.next_page_token || undefined;
        } while (token);
      } catch (err) {
        // PrimeHub answers null when MLflow answers with an error code of its own; "not reachable" stays an error
        if ((err as ApiError).code === ErrorCode.INTERNAL_ERROR) {
          throw err;
        }
        return null;
      }
      return all.map(m => modelObject(m, rest, deployedBy));
    },

    model: async (_: unknown, { where }: Where<{ group?: string; name?: string }>, ctx: Context) => {
      const { rest, deployedBy } = mlflowOf(ctx, where.group);
      const { registered_model } = await rest.get<{ registered_model: MlflowRegisteredModel }>(
        'registered-models/get',
        { name: where.name ?? '' },
        `registered model "${where.name ?? ''}"`
      );
      return modelObject(registered_model, rest, deployedBy);
    },

    modelVersions: async (
      _: unknown,
      { where, page }: Where<{ group?: string; name?: string }> & { page?: number },
      ctx: Context
    ) => {
      const { rest, deployedBy } = mlflowOf(ctx, where.group);
      const versions = (await allVersions(ctx, rest, where.name ?? '')).map(v => versionObject(v, rest, deployedBy));
      return page === undefined || page === null ? versions : pageOf(versions, page).items;
    },

    modelVersionsConnection: async (
      _: unknown,
      { where, page }: Where<{ group?: string; name?: string }> & { page?: number },
      ctx: Context
    ) => {
      const { rest, deployedBy } = mlflowOf(ctx, where.group);
      const versions = (await allVersions(ctx, rest, where.name ?? '')).map(v => versionObject(v, rest, deployedBy));
      const p = pageOf(versions, page);
      return { pageInfo: p.pageInfo, edges: p.items.map(node => ({ node })) };
    },

    modelVersion: async (
      _: unknown,
      { where }: Where<{ group?: string; name?: string; version?: string }>,
      ctx: Context
    ) => {
      const { rest, deployedBy } = mlflowOf(ctx, where.group);
      const { model_version } = await rest.get<{ model_version: MlflowModelVersion }>(
        'model-versions/get',
        { name: where.name ?? '', version: where.version ?? '' },
        `version ${where.version ?? ''} of registered model "${where.name ?? ''}"`
      );
      return versionObject(model_version, rest, deployedBy);
    },

    mlflowRuns: async (_: unknown, { where }: Where<{ group: string; experimentName: string }>, ctx: Context) => {
      const { rest } = mlflowOf(ctx, where.group);
      // `experiments/list`, which PrimeHub's resolver calls, is gone since MLflow 2
      const { experiment } = await rest.get<{ experiment: { experiment_id: string } }>('experiments/get-by-name', {
        experiment_name: where.experimentName
      });
      const runs: MlflowRun[] = [];
      let token: string | undefined;
      do {
        const page = await rest.post<{ runs?: MlflowRun[]; next_page_token?: string }>('runs/search', {
          experiment_ids: [experiment.experiment_id],
          max_results: RUNS_PAGE,
          ...(token ? { page_token: token } : {})
        });
        ctx.budget.take((page.runs ?? []).length);
        runs.push(...(page.runs ?? []));
        token = page.next_page_token || undefined;
      } while (token);
      return runs.map(runObject);
    },

    mlflowArtifact: async (
      _: unknown,
      { where }: Where<{ group: string; runId: string; path?: string }>,
      ctx: Context
    ) => {
      const { rest } = mlflowOf(ctx, where.group);
      return (await runArtifacts(rest, where.runId, (where.path ?? '').replace(/^\/+|\/+$/g, ''))).listing;
    }
  },

  Mutation: {
    registerModel: async (
      _: unknown,
      { where }: Where<{ group: string; name: string; runId: string; path: string }>,
      ctx: Context
    ) => {
      const { rest } = mlflowOf(ctx, where.group);
      if (!MODEL_NAME.test(where.name)) {
        throw invalidInput(
          `invalid model name "${where.name}": use letters, digits, '.', '_' or '-' (no spaces or slashes), ` +
            'starting with a letter or digit, at most 256 characters'
        );
      }
      const path = where.path.replace(/^\/+|\/+$/g, '');
      if (path.split('/').includes('..')) {
        throw invalidInput(`invalid artifact path "${where.path}": ".." is not allowed`);
      }
      // checked before anything is created: a failed registration changes nothing
      const { listing, model } = await runArtifacts(rest, where.runId, path);
      const files = listing.files ?? [];
      if (files.length === 0) {
        throw invalidInput(`run ${where.runId} has no artifacts at "${where.path}"`);
      }
      if (!files.some(f => !f.is_dir && f.path.split('/').pop() === 'MLmodel')) {
        throw invalidInput(`"${where.path}" of run ${where.runId} is not an MLflow model: it holds no MLmodel file`);
      }
      // created first and an existing one taken as it is: MLflow's basic auth refuses reading a model
      // that does not exist yet instead of saying so
      try {
        await rest.post('registered-models/create', { name: where.name });
      } catch (err) {
        if (!isAlreadyThere(err)) {
          throw err;
        }
      }
      // a logged model is registered as itself (MLflow 3), files of the run by their folder
      const source = model
        ? { source: `models:/${model.model_id}`, model_id: model.model_id }
        : { source: `${listing.root_uri ?? ''}/${path}` };
      const { model_version } = await rest.post<{ model_version: MlflowModelVersion }>('model-versions/create', {
        name: where.name,
        run_id: where.runId,
        ...source
      });
      return model_version;
    }
  }
};
