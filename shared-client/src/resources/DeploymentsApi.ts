import { utf8ToBase64 } from '../base64';
import { describePredictionFailure } from '../deployments/predictionResult';
import type { ClientContext } from '../ClientContext';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { LogStreamOptions, streamLogLines } from '../logStream';
import {
  DEPLOYMENT_AVAIL,
  DEPLOYMENT_CLIENT_CREATE,
  DEPLOYMENT_CLIENT_DELETE,
  DEPLOYMENT_CREATE,
  DEPLOYMENT_CURSOR_LIST,
  DEPLOYMENT_DELETE,
  DEPLOYMENT_GET,
  DEPLOYMENT_HISTORY,
  DEPLOYMENT_LIST,
  DEPLOYMENT_PODS,
  DEPLOYMENT_START,
  DEPLOYMENT_STATUS,
  DEPLOYMENT_STOP,
  DEPLOYMENT_UPDATE,
  PhDeploymentCreateInput,
  PhDeploymentUpdateInput
} from '../operations/deployments';
import type {
  CallOptions,
  Deployment,
  DeploymentDetail,
  DeploymentHistoryItem,
  DeploymentStatus,
  GroupCallOptions
} from '../types';
import { iterateCursor, pageSize } from './paging';
import { pollUntil } from './pollUntil';
import { optionalInt, requireString, stripUndefined } from './validate';

/** Environment variables as a list or a plain object. */
export type EnvSpec = Array<{ name: string; value: string }> | Record<string, string>;

/** A model deployment to create (SDK `deployments create`). */
export interface DeploymentSpec {
  name: string;
  /** Generated from the name when omitted (`<name>-<5 hex>`). */
  id?: string;
  instanceType: string;
  modelImage: string;
  modelURI?: string;
  replicas?: number;
  imagePullSecret?: string;
  description?: string;
  updateMessage?: string;
  metadata?: Record<string, string>;
  env?: EnvSpec;
  endpointAccessType?: 'public' | 'private';
}

/** Fields of a deployment update (every update also restarts the deployment). */
export type DeploymentPatch = Omit<PhDeploymentUpdateInput, 'env'> & { env?: EnvSpec };

/** Options of `deployments.wait`. */
export interface DeploymentWaitOptions {
  signal?: AbortSignal;
  /** Give up after this long (ms) with a TimeoutError; 0 or undefined waits forever. */
  timeoutMs?: number;
  intervalMs?: number;
  onStatus?: (status: DeploymentStatus, deploymentId: string) => void;
}

/** Input of a Seldon prediction. */
export type PredictInput =
  | { ndarray: unknown[]; names?: string[] }
  | { tensor: { shape: number[]; values: number[] }; names?: string[] }
  | { strData: string }
  /** Seldon's `jsonData`: any JSON the model takes as is. */
  | { jsonData: unknown }
  | { binData: Uint8Array | Blob; filename?: string; contentType?: string }
  /** Any other JSON body, sent as is. */
  | { json: unknown };

/** A model endpoint's answer, whatever its status (`send`). */
export interface PredictionResult {
  status: number;
  /** 2xx. */
  ok: boolean;
  /** The body, parsed when it is JSON, else its text. */
  body: unknown;
  /** From sending the request until the whole answer was read. */
  latencyMs: number;
  /** What went wrong, in a sentence, when not `ok`. */
  error?: string;
}

/** Options of `predict`. */
export interface PredictOptions extends CallOptions {
  /** HTTP Basic credentials of a deployment client, for private endpoints. */
  auth?: { username: string; password: string };
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The SDK's id scheme: `name.replace(/[\W_]/g, '-').toLowerCase() + '-' + 5 hex chars`. */
export function generateDeploymentId(name: string): string {
  const bytes = new Uint8Array(3);
  globalThis.crypto.getRandomValues(bytes);
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 5);
  return `${name.replace(/[\W_]/g, '-').toLowerCase()}-${hex}`;
}

function normalizeEnv(env: EnvSpec | undefined): Array<{ name: string; value: string }> | undefined {
  if (env === undefined) {
    return undefined;
  }
  const list = Array.isArray(env) ? env : Object.entries(env).map(([name, value]) => ({ name, value }));
  for (const e of list) {
    if (!ENV_NAME.test(e.name)) {
      throw new ValidationError(`invalid environment variable name "${e.name}"`);
    }
    if (typeof e.value !== 'string') {
      throw new ValidationError(`environment variable ${e.name} must have a string value`);
    }
  }
  return list;
}

/** Builds the JSON body of a prediction request (Seldon protocol). */
export function predictionBody(input: PredictInput): unknown {
  if ('ndarray' in input) {
    return { data: { ...(input.names ? { names: input.names } : {}), ndarray: input.ndarray } };
  }
  if ('tensor' in input) {
    return { data: { ...(input.names ? { names: input.names } : {}), tensor: input.tensor } };
  }
  if ('strData' in input) {
    return { strData: input.strData };
  }
  if ('jsonData' in input) {
    return { jsonData: input.jsonData };
  }
  if ('json' in input) {
    return input.json;
  }
  throw new ValidationError('binData is sent as multipart, not JSON');
}

async function* multipart(
  boundary: string,
  data: Uint8Array | Blob,
  filename: string,
  contentType: string
): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  // Quotes and line breaks in the file name would break the part header.
  const safeName = filename.replace(/["\r\n\\]/g, '_');
  yield enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="binData"; filename="${safeName}"\r\n` +
      `Content-Type: ${contentType.replace(/[\r\n]/g, '')}\r\n\r\n`
  );
  if (data instanceof Uint8Array) {
    yield data;
  } else {
    const reader = data.stream().getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      yield value;
    }
  }
  yield enc.encode(`\r\n--${boundary}--\r\n`);
}

/** Model deployments (SDK `primehub deployments`; Seldon-based). */
export class DeploymentsApi {
  /** Client credentials for private endpoints (admin-only on PrimeHub). */
  readonly clients: {
    create(deploymentId: string, name: string, opts?: CallOptions): Promise<{ name: string; plainTextToken: string }>;
    delete(deploymentId: string, name: string, opts?: CallOptions): Promise<void>;
  };

  constructor(private readonly ctx: ClientContext) {
    this.clients = {
      create: async (deploymentId, name, opts = {}) => {
        const res = await ctx.requester.graphql(
          DEPLOYMENT_CLIENT_CREATE,
          { data: { deploymentId: requireString(deploymentId, 'deploymentId'), name: requireString(name, 'name') } },
          opts
        );
        ctx.addSecret(res.createPhDeploymentClient.plainTextToken);
        return res.createPhDeploymentClient;
      },
      delete: async (deploymentId, name, opts = {}) => {
        await ctx.requester.graphql(
          DEPLOYMENT_CLIENT_DELETE,
          { where: { deploymentId: requireString(deploymentId, 'deploymentId'), name: requireString(name, 'name') } },
          opts
        );
      }
    };
  }

  /** Deployments of the group, newest first. */
  async list(opts: GroupCallOptions = {}): Promise<Deployment[]> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(DEPLOYMENT_LIST, { where: { groupId_in: [group.id] } }, opts);
    return data.phDeployments.filter((d): d is Deployment => d !== null);
  }

  /** Every deployment of the group, fetched lazily in cursor pages of `pageSize` (default 50). */
  async *iterate(opts: GroupCallOptions & { pageSize?: number } = {}): AsyncGenerator<Deployment> {
    const first = pageSize(opts.pageSize);
    const group = await this.ctx.resolveGroup(opts.group, opts);
    yield* iterateCursor(async after => {
      const data = await this.ctx.requester.graphql(
        DEPLOYMENT_CURSOR_LIST,
        { where: { groupId_in: [group.id] }, first, ...(after ? { after } : {}) },
        opts
      );
      return data.phDeploymentsConnection;
    });
  }

  /** One deployment with its full spec; NotFoundError if it does not exist. */
  async get(id: string, opts: CallOptions = {}): Promise<DeploymentDetail> {
    const data = await this.ctx.requester.graphql(DEPLOYMENT_GET, { where: { id: requireString(id, 'id') } }, opts);
    return data.phDeployment;
  }

  /** True iff the id is well-formed and not used yet. */
  async isIdAvailable(id: string, opts: CallOptions = {}): Promise<boolean> {
    const data = await this.ctx.requester.graphql(DEPLOYMENT_AVAIL, { where: { id } }, opts);
    return data.phDeploymentAvail;
  }

  /**
   * Creates a deployment in the current group. Without `id`, one is generated from the name
   * (SDK scheme) and checked with `phDeploymentAvail`; a given id that is taken → ConflictError.
   */
  async create(spec: DeploymentSpec, opts: GroupCallOptions = {}): Promise<Deployment> {
    const name = requireString(spec.name, 'name');
    const replicas = optionalInt(spec.replicas, 'replicas') ?? 1;
    if (replicas < 1) {
      throw new ValidationError('replicas must be at least 1');
    }
    const base = {
      name,
      instanceType: requireString(spec.instanceType, 'instanceType'),
      modelImage: requireString(spec.modelImage, 'modelImage'),
      replicas,
      modelURI: spec.modelURI,
      imagePullSecret: spec.imagePullSecret,
      description: spec.description,
      updateMessage: spec.updateMessage ?? '',
      metadata: spec.metadata ?? {},
      env: normalizeEnv(spec.env) ?? [],
      endpointAccessType: spec.endpointAccessType ?? 'public'
    };
    const group = await this.ctx.resolveGroup(opts.group, opts);
    let id: string | undefined;
    if (spec.id !== undefined) {
      if (!ID_PATTERN.test(spec.id)) {
        throw new ValidationError(`deployment id must match ${ID_PATTERN} (got "${spec.id}")`);
      }
      if (!(await this.isIdAvailable(spec.id, opts))) {
        throw new ConflictError(`deployment id "${spec.id}" is already used`);
      }
      id = spec.id;
    } else {
      for (let i = 0; i < 3 && id === undefined; i++) {
        const candidate = generateDeploymentId(name);
        if (!ID_PATTERN.test(candidate)) {
          throw new ValidationError(`cannot derive a valid deployment id from the name "${name}"; pass an id`);
        }
        if (await this.isIdAvailable(candidate, opts)) {
          id = candidate;
        }
      }
      if (id === undefined) {
        throw new ConflictError(`no free deployment id for "${name}"`);
      }
    }
    const data: PhDeploymentCreateInput = stripUndefined({ ...base, id, groupId: group.id });
    const res = await this.ctx.requester.graphql(DEPLOYMENT_CREATE, { data }, opts);
    return res.createPhDeployment;
  }

  /** Partial update; note that every update (re)starts the deployment. */
  async update(id: string, patch: DeploymentPatch, opts: CallOptions = {}): Promise<Deployment> {
    const { env, ...rest } = patch;
    const data: PhDeploymentUpdateInput = stripUndefined({ ...rest, env: normalizeEnv(env) });
    if (data.replicas !== undefined) {
      optionalInt(data.replicas, 'replicas');
    }
    const res = await this.ctx.requester.graphql(
      DEPLOYMENT_UPDATE,
      { where: { id: requireString(id, 'id') }, data },
      opts
    );
    return res.updatePhDeployment;
  }

  /** Starts a stopped deployment (`deployPhDeployment`). */
  async start(id: string, opts: CallOptions = {}): Promise<Deployment> {
    const res = await this.ctx.requester.graphql(DEPLOYMENT_START, { where: { id: requireString(id, 'id') } }, opts);
    return res.deployPhDeployment;
  }

  /** Stops a deployment; its spec is kept. */
  async stop(id: string, opts: CallOptions = {}): Promise<Deployment> {
    const res = await this.ctx.requester.graphql(DEPLOYMENT_STOP, { where: { id: requireString(id, 'id') } }, opts);
    return res.stopPhDeployment;
  }

  /** Deletes a deployment. */
  async delete(id: string, opts: CallOptions = {}): Promise<{ id: string }> {
    const res = await this.ctx.requester.graphql(DEPLOYMENT_DELETE, { where: { id: requireString(id, 'id') } }, opts);
    return res.deletePhDeployment;
  }

  /** Previous specs, newest first. */
  async history(id: string, opts: CallOptions = {}): Promise<DeploymentHistoryItem[]> {
    const res = await this.ctx.requester.graphql(DEPLOYMENT_HISTORY, { where: { id: requireString(id, 'id') } }, opts);
    return res.phDeployment.history ?? [];
  }

  /**
   * Polls until the deployment is stable: Deployed (running), Stopped (stopped) or Failed.
   * Returns the final status; check for `Failed` yourself.
   */
  async wait(id: string, opts: DeploymentWaitOptions = {}): Promise<{ status: DeploymentStatus; stop: boolean }> {
    requireString(id, 'id');
    return pollUntil({
      read: async signal => {
        const res = await this.ctx.requester.graphql(DEPLOYMENT_STATUS, { where: { id } }, { signal });
        return { status: res.phDeployment.status ?? 'Deploying', stop: res.phDeployment.stop ?? false };
      },
      label: s => s.status,
      done: ({ status, stop }) =>
        (!stop && status === 'Deployed') || (stop && status === 'Stopped') || status === 'Failed',
      onChange: status => opts.onStatus?.(status as DeploymentStatus, id),
      intervalMs: opts.intervalMs ?? this.ctx.pollIntervalMs,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      what: `deployment ${id}`
    });
  }

  /** Log lines of a deployment pod (default: the first `deploy-<id>…` pod). */
  logs(id: string, opts: LogStreamOptions & { pod?: string } = {}): AsyncGenerator<string, void, undefined> {
    requireString(id, 'id');
    const ctx = this.ctx;
    return streamLogLines(
      ctx,
      async signal => {
        const res = await ctx.requester.graphql(DEPLOYMENT_PODS, { where: { id } }, { signal });
        const pods = res.phDeployment.pods ?? [];
        const pod = opts.pod
          ? pods.find(p => p.name === opts.pod)
          : (pods.find(p => p.name?.startsWith(`deploy-${id}`)) ?? pods[0]);
        if (!pod?.logEndpoint) {
          throw new NotFoundError(
            opts.pod ? `pod "${opts.pod}" not found in deployment ${id}` : `deployment ${id} has no pods`
          );
        }
        return pod.logEndpoint;
      },
      opts
    );
  }

  /**
   * Sends a prediction to a deployment (by id) or an endpoint URL (Seldon protocol) and returns the
   * parsed answer; a non-2xx answer throws. The PrimeHub token is never sent to the model; private
   * endpoints take a client's HTTP Basic credentials.
   */
  async predict(target: string, input: PredictInput, opts: PredictOptions = {}): Promise<unknown> {
    return (await this.call(target, input, opts, false)).body;
  }

  /**
   * {@link predict} for endpoint testers: any HTTP answer is returned with its status, latency and,
   * when it failed, a sentence that says why (a Seldon error decoded); network failures still throw.
   */
  async send(target: string, input: PredictInput, opts: PredictOptions = {}): Promise<PredictionResult> {
    return this.call(target, input, opts, true);
  }

  private async call(
    target: string,
    input: PredictInput,
    opts: PredictOptions,
    anyStatus: boolean
  ): Promise<PredictionResult> {
    requireString(target, 'target');
    let endpoint = target;
    if (!/^https?:\/\//.test(target)) {
      const d = await this.get(target, opts);
      if (!d.endpoint) {
        throw new ValidationError(`deployment ${target} has no endpoint yet (status ${d.status})`);
      }
      endpoint = d.endpoint;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth) {
      this.ctx.addSecret(opts.auth.password);
      headers.authorization = `Basic ${utf8ToBase64(`${opts.auth.username}:${opts.auth.password}`)}`;
    }
    let body: string | AsyncIterable<Uint8Array>;
    if ('binData' in input) {
      const boundary = `----primehub${generateDeploymentId('b').slice(2)}${Date.now().toString(16)}`;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      body = multipart(
        boundary,
        input.binData,
        input.filename ?? 'data',
        input.contentType ?? 'application/octet-stream'
      );
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(predictionBody(input));
    }
    const started = performance.now();
    const res = await this.ctx.requester.rest(
      { method: 'POST', url: endpoint, headers, body, auth: false, anyStatus },
      opts
    );
    const latencyMs = Math.round(performance.now() - started);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text) as unknown;
    } catch {
      parsed = res.text;
    }
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      ok,
      body: parsed,
      latencyMs,
      ...(ok ? {} : { error: describePredictionFailure(res.status, parsed) })
    };
  }
}
