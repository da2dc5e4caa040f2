import type { ClientContext } from '../ClientContext';
import { HttpError, NotFoundError } from '../errors';
import { DEPLOYMENT_UPDATE } from '../operations/deployments';
import {
  MLFLOW_ARTIFACT,
  MLFLOW_RUNS,
  MLFLOW_SETTING,
  MODEL,
  MODEL_REGISTER,
  MODEL_VERSION,
  MODEL_VERSIONS,
  MODELS
} from '../operations/models';
import type {
  CallOptions,
  Deployment,
  GroupCallOptions,
  MLflowArtifactFile,
  MLflowSetting,
  Model,
  ModelVersion
} from '../types';
import { requireString } from './validate';
import { apiBaseOf } from './apiBase';

/** A model with its versions and the group's MLflow settings. */
export interface ModelDetail {
  mlflow: MLflowSetting | null;
  model: Model;
  versions: ModelVersion[];
}

/** MLflow-backed model registry of a group (SDK `primehub models`). */
export class ModelsApi {
  constructor(private readonly ctx: ClientContext) {}

  private async group(opts: GroupCallOptions): Promise<string> {
    return (await this.ctx.resolveGroup(opts.group, opts)).name;
  }

  /** Registered models of the group. */
  async list(opts: GroupCallOptions = {}): Promise<Model[]> {
    const data = await this.ctx.requester.graphql(MODELS, { group: await this.group(opts) }, opts);
    return data.models ?? [];
  }

  /** The group's MLflow tracking and UI URLs (null when MLflow is not configured). */
  async mlflow(opts: GroupCallOptions = {}): Promise<MLflowSetting | null> {
    const data = await this.ctx.requester.graphql(MLFLOW_SETTING, { group: await this.group(opts) }, opts);
    return data.mlflow;
  }

  /** One model with its versions. */
  async get(name: string, opts: GroupCallOptions = {}): Promise<ModelDetail> {
    requireString(name, 'name');
    const data = await this.ctx.requester.graphql(MODEL, { group: await this.group(opts), name }, opts);
    if (!data.model) {
      throw new NotFoundError(`model "${name}" not found`);
    }
    return { mlflow: data.mlflow, model: data.model, versions: data.modelVersions ?? [] };
  }

  /** Versions of a model (with `source`). */
  async versions(name: string, opts: GroupCallOptions = {}): Promise<ModelVersion[]> {
    requireString(name, 'name');
    const data = await this.ctx.requester.graphql(MODEL_VERSIONS, { group: await this.group(opts), name }, opts);
    return data.modelVersions ?? [];
  }

  /** One version, with its MLflow `run` (params, metrics, tags). */
  async version(
    name: string,
    version: string,
    opts: GroupCallOptions = {}
  ): Promise<ModelVersion & { mlflow: MLflowSetting | null }> {
    requireString(name, 'name');
    requireString(version, 'version');
    const data = await this.ctx.requester.graphql(
      MODEL_VERSION,
      { group: await this.group(opts), name, version },
      opts
    );
    if (!data.modelVersion) {
      throw new NotFoundError(`model "${name}" version ${version} not found`);
    }
    return { ...data.modelVersion, mlflow: data.mlflow };
  }

  /** Runs of an MLflow experiment (raw MLflow JSON). */
  async mlflowRuns(experimentName: string, opts: GroupCallOptions = {}): Promise<unknown[]> {
    requireString(experimentName, 'experimentName');
    const data = await this.ctx.requester.graphql(
      MLFLOW_RUNS,
      { where: { group: await this.group(opts), experimentName } },
      opts
    );
    return data.mlflowRuns ?? [];
  }

  /** Artifact files of a run below `path` (MLflow `files`). */
  async mlflowArtifact(runId: string, path?: string, opts: GroupCallOptions = {}): Promise<MLflowArtifactFile[]> {
    requireString(runId, 'runId');
    const where = { group: await this.group(opts), runId, ...(path !== undefined ? { path } : {}) };
    const data = await this.ctx.requester.graphql(MLFLOW_ARTIFACT, { where }, opts);
    return data.mlflowArtifact?.files ?? [];
  }

  /** Registers the run's artifact folder `path` as a new version of model `name`. */
  async register(
    spec: { name: string; runId: string; path: string },
    opts: GroupCallOptions = {}
  ): Promise<Record<string, unknown> | null> {
    const where = {
      group: await this.group(opts),
      name: requireString(spec.name, 'name'),
      runId: requireString(spec.runId, 'runId'),
      path: requireString(spec.path, 'path')
    };
    const data = await this.ctx.requester.graphql(MODEL_REGISTER, { where }, opts);
    return data.registerModel;
  }

  /**
   * The address to open an MLflow UI page at (the group's `uiUrl` or a page below it, e.g. a run's or the
   * compare page). PrimeHub Local serves each group's MLflow UI at `<server>/mlflow-ui/<group>/` behind a
   * sign-in of its own: for such a URL this asks the server for a one-time ticket (valid once, for a minute)
   * and returns the URL with `ticket=…` added to its query, its path, other query and fragment kept; the
   * browser that opens it is signed in for a few hours. Any other URL (a real PrimeHub's MLflow, behind
   * PrimeHub's own sign-in) is returned unchanged, without a request. Call it just before opening the page.
   *
   * `apiBase`: the API base the page's server serves (`<server>/api`, e.g. PrimeHub's `apiBase` a JupyterLab
   * knows), when this client reaches it through a proxy; by default the one of the client's endpoint.
   */
  async uiLink(url: string, opts: CallOptions & { apiBase?: string } = {}): Promise<string> {
    const via = apiBaseOf(this.ctx.endpoint);
    const group = localUiGroup(url, (opts.apiBase ?? via).replace(/\/+$/, ''));
    if (group === undefined) {
      return url;
    }
    const res = await this.ctx.requester.rest(
      {
        method: 'POST',
        url: `${via}/mlflow-ui/tickets`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ group }),
        idempotent: false
      },
      opts
    );
    let ticket: string | null = null;
    let workspace: unknown;
    try {
      const answer = JSON.parse(res.text) as { url: string; workspace?: unknown };
      ticket = new URL(answer.url).searchParams.get('ticket');
      workspace = answer.workspace;
    } catch {
      // reported below
    }
    if (!ticket) {
      throw new HttpError(`the server answered no MLflow UI ticket for group "${group}"`, { status: res.status });
    }
    const hash = url.indexOf('#');
    const [before, route] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
    const fragment = typeof workspace === 'string' && workspace ? withWorkspace(route, workspace) : route;
    // A string edit, not URL's serialisation, which would re-encode the fragment MLflow's router reads.
    const kept = before.replace(/([?&])ticket=[^&]*(&|$)/, (_m, lead: string, tail: string) => (tail ? lead : ''));
    const sep = kept.includes('?') ? (/[?&]$/.test(kept) ? '' : '&') : '?';
    return `${kept}${sep}ticket=${encodeURIComponent(ticket)}${fragment}`;
  }

  /** `models:/<name>/<version>`, the URI deployments resolve against the group's MLflow. */
  modelUri(name: string, version: string): string {
    return `models:/${encodeURIComponent(name)}/${version}`;
  }

  /** Deploys a version to an existing deployment (SDK `models deploy`; restarts it). */
  async deploy(name: string, version: string, deploymentId: string, opts: GroupCallOptions = {}): Promise<Deployment> {
    const data = await this.ctx.requester.graphql(
      DEPLOYMENT_UPDATE,
      { where: { id: requireString(deploymentId, 'deploymentId') }, data: { modelURI: this.modelUri(name, version) } },
      opts
    );
    return data.updatePhDeployment;
  }
}

/**
 * The group whose PrimeHub Local MLflow UI `url` is (`<server>/mlflow-ui/<group>/…`, where the API base is
 * `<server>/api`); undefined for any other URL.
 */
function localUiGroup(url: string, apiBase: string): string | undefined {
  let u: URL;
  let base: URL;
  try {
    u = new URL(url);
    base = new URL(apiBase);
  } catch {
    return undefined;
  }
  const root = base.pathname.replace(/\/api$/, '').replace(/\/+$/, '');
  if (u.origin !== base.origin || !u.pathname.startsWith(`${root}/mlflow-ui/`)) {
    return undefined;
  }
  const segment = /^([^/]+)(\/|$)/.exec(u.pathname.slice(`${root}/mlflow-ui/`.length))?.[1];
  try {
    return segment ? decodeURIComponent(segment) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An MLflow UI route (`#/experiments/1/runs/abc`) naming its workspace (`?workspace=<name>`), which
 * MLflow's UI with workspaces needs to open a deep link rather than its home; kept as it is when it
 * names one already or is no route.
 */
function withWorkspace(route: string, workspace: string): string {
  if (!route.startsWith('#/') || /[?&]workspace=/.test(route)) {
    return route;
  }
  return `${route}${route.includes('?') ? '&' : '?'}workspace=${encodeURIComponent(workspace)}`;
}
