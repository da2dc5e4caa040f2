import { randomInt } from 'node:crypto';
import type { DeploymentRow, DeploymentStore } from '../db/DeploymentStore';
import type { IdentityStore, UserRow } from '../db/IdentityStore';
import { conflict, illegalEnvName, invalidInput, notAuth, notFound } from '../errors';
import { checkQuota } from '../jobs/JobService';
import type { DeploymentRunner } from './DeploymentRunner';

/** `PhDeploymentCreateInput`, as received. */
export interface DeploymentCreateInput {
  id?: string | null;
  name?: string | null;
  replicas?: number | null;
  modelImage?: string | null;
  modelURI?: string | null;
  imagePullSecret?: string | null;
  description?: string | null;
  updateMessage?: string | null;
  metadata?: unknown;
  env?: unknown;
  groupId?: string | null;
  instanceType?: string | null;
  endpointAccessType?: string | null;
}

/** `PhDeploymentUpdateInput`: no id, name or group (they never change). */
export type DeploymentUpdateInput = Omit<DeploymentCreateInput, 'id' | 'name' | 'groupId'>;

/** PrimeHub's deployment ids: a Kubernetes name (`phDeploymentAvail`'s rule). */
const DEPLOYMENT_ID = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** PrimeHub's env var names (`ILLEGAL_ENV_NAME` otherwise). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Client names: one HTTP Basic user name (no ':'), short and plain. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** More replicas than a laptop can hold are a mistake. */
const MAX_REPLICAS = 16;
const BASE36 = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Checks and applies changes to deployments the way PrimeHub's `phDeployment` resolvers do (ids,
 * membership, instance types and quotas, partial updates, every change recorded in the history),
 * and hands them to the {@link DeploymentRunner}.
 */
export class DeploymentService {
  constructor(
    private readonly identity: IdentityStore,
    private readonly store: DeploymentStore,
    private readonly runner: DeploymentRunner
  ) {}

  /** A deployment the caller may see and act on: unknown ids and other groups' deployments are refused. */
  visible(user: UserRow, id: string): DeploymentRow {
    const row = this.store.get(id);
    if (!row) {
      throw notFound('phdeployments', id);
    }
    if (!this.identity.isMember(user.id, row.group_id)) {
      throw notAuth();
    }
    return row;
  }

  /** `phDeploymentAvail`: the id is a valid name and no deployment has it. */
  available(id: string): boolean {
    return DEPLOYMENT_ID.test(id) && !this.store.get(id);
  }

  create(user: UserRow, input: DeploymentCreateInput): DeploymentRow {
    const id = input.id ?? '';
    if (!DEPLOYMENT_ID.test(id)) {
      throw invalidInput(
        `invalid deployment id "${id}": lower-case letters, digits and '-', 3 to 63 characters, starting and ending with a letter or digit`
      );
    }
    if (this.store.get(id)) {
      throw conflict(`phdeployments.primehub.io "${id}" already exists`);
    }
    const group = input.groupId ? this.identity.groupById(input.groupId) : undefined;
    if (!group || !this.identity.isMember(user.id, group.id)) {
      throw notAuth();
    }
    const now = new Date().toISOString();
    const row = this.store.create({
      id,
      display_name: input.name?.trim() || id,
      description: input.description ?? null,
      update_message: input.updateMessage ?? null,
      metadata: JSON.stringify(metadataOf(input.metadata) ?? {}),
      env: JSON.stringify(envOf(input.env) ?? []),
      stop: 0,
      group_id: group.id,
      group_name: group.name,
      user_id: user.id,
      user_name: user.username,
      model_image: required(input.modelImage, 'modelImage'),
      model_uri: input.modelURI ?? '',
      replicas: replicasOf(input.replicas) ?? 1,
      image_pull_secret: input.imagePullSecret ?? null,
      instance_type: this.instanceType(required(input.instanceType, 'instanceType'), group.id),
      endpoint_access_type: accessOf(input.endpointAccessType) ?? 'public',
      status: 'Deploying',
      message: null,
      creation_time: now,
      last_updated_time: now
    });
    return this.changed(row, true);
  }

  /** A partial update, as PrimeHub's: what is not given is kept; every update (re)starts the deployment. */
  update(user: UserRow, id: string, input: DeploymentUpdateInput): DeploymentRow {
    const old = this.visible(user, id);
    const patch: Partial<DeploymentRow> = {
      stop: 0,
      user_id: user.id,
      user_name: user.username,
      update_message: input.updateMessage ?? null,
      last_updated_time: new Date().toISOString()
    };
    const replicas = replicasOf(input.replicas);
    if (replicas !== undefined) {
      patch.replicas = replicas;
    }
    if (input.modelImage) {
      patch.model_image = input.modelImage;
    }
    if (input.instanceType) {
      patch.instance_type = this.instanceType(input.instanceType, old.group_id);
    }
    if (input.modelURI !== undefined && input.modelURI !== null) {
      patch.model_uri = input.modelURI;
    }
    if (input.imagePullSecret !== undefined) {
      patch.image_pull_secret = input.imagePullSecret;
    }
    if (input.description !== undefined && input.description !== null) {
      patch.description = input.description;
    }
    const env = envOf(input.env);
    if (env !== undefined) {
      patch.env = JSON.stringify(env);
    }
    // omitted or {} keeps the metadata, null clears it, anything else replaces it
    if (input.metadata === null) {
      patch.metadata = '{}';
    } else {
      const metadata = metadataOf(input.metadata);
      if (metadata && Object.keys(metadata).length > 0) {
        patch.metadata = JSON.stringify(metadata);
      }
    }
    const access = accessOf(input.endpointAccessType);
    if (access) {
      patch.endpoint_access_type = access;
    }
    return this.changed(this.store.update(id, patch), true);
  }

  /** `deployPhDeployment`: starts a stopped (or failed) deployment again. */
  start(user: UserRow, id: string): DeploymentRow {
    return this.setRunning(user, id, true);
  }

  /** `stopPhDeployment`: Stopping now, Stopped once its replicas have ended. */
  stop(user: UserRow, id: string): DeploymentRow {
    return this.setRunning(user, id, false);
  }

  private setRunning(user: UserRow, id: string, running: boolean): DeploymentRow {
    this.visible(user, id);
    const row = this.store.update(id, {
      stop: running ? 0 : 1,
      update_message: running ? 'Deployment Started' : 'Deployment Stopped',
      user_id: user.id,
      user_name: user.username,
      last_updated_time: new Date().toISOString()
    });
    return this.changed(row, running);
  }

  /** Ends the deployment's replicas, then removes it, its history and its clients. */
  async delete(user: UserRow, id: string): Promise<{ id: string }> {
    this.visible(user, id);
    await this.runner.remove(id);
    this.store.delete(id);
    return { id };
  }

  /** Adds a client (or replaces one's token); the token is returned this once and kept only hashed. */
  createClient(user: UserRow, deploymentId: string, name: string): { name: string; plainTextToken: string } {
    this.visible(user, deploymentId);
    if (!CLIENT_NAME.test(name)) {
      throw invalidInput(
        `invalid client name "${name}": letters, digits, '.', '_' or '-', at most 63 characters, starting with a letter or digit`
      );
    }
    let token = '';
    for (let i = 0; i < 32; i++) {
      token += BASE36[randomInt(BASE36.length)];
    }
    this.store.putClient(deploymentId, name, token);
    return { name, plainTextToken: token };
  }

  deleteClient(user: UserRow, deploymentId: string, name: string): DeploymentRow {
    this.visible(user, deploymentId);
    if (!this.store.deleteClient(deploymentId, name)) {
      throw invalidInput(`deployment ${deploymentId} has no client "${name}"`);
    }
    return this.store.get(deploymentId)!;
  }

  private instanceType(name: string, groupId: string): string {
    const it = this.identity.instanceType(name);
    const group = this.identity.groupById(groupId)!;
    if (!it) {
      throw invalidInput(`instance type "${name}" is not available in group ${group.name}`);
    }
    checkQuota(group, it);
    return it.name;
  }

  /** Records the change in the history and has the runner follow it. */
  private changed(row: DeploymentRow, deploy: boolean): DeploymentRow {
    this.store.recordHistory(row);
    if (deploy) {
      const deploying = this.store.update(row.id, { status: 'Deploying', message: null });
      void this.runner.deploy(row.id);
      return deploying;
    }
    const stopping = this.store.update(row.id, { status: 'Stopping', message: null });
    void this.runner.stop(row.id);
    return stopping;
  }
}

function required(value: string | null | undefined, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput(`${field} is required`);
  }
  return value;
}

function replicasOf(value: number | null | undefined): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!Number.isInteger(value) || value < 1 || value > MAX_REPLICAS) {
    throw invalidInput(`replicas must be a whole number from 1 to ${MAX_REPLICAS}`);
  }
  return value;
}

function accessOf(value: string | null | undefined): 'public' | 'private' | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (value !== 'public' && value !== 'private') {
    throw invalidInput(`endpointAccessType must be public or private (got "${value}")`);
  }
  return value;
}

/** `env`: `[{name, value}]` with PrimeHub's names; undefined when not given. */
function envOf(value: unknown): { name: string; value: string }[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw invalidInput('env must be a list of {name, value}');
  }
  return value.map(entry => {
    const { name, value: v } = (entry ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw illegalEnvName(`illegal env name "${String(name)}"`);
    }
    return { name, value: v === undefined || v === null ? '' : String(v) };
  });
}

/** `metadata`: a flat JSON object; undefined when not given. */
function metadataOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput('metadata must be an object of names to values');
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
