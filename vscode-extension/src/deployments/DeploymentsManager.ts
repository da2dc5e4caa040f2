import type {
  Deployment,
  DeploymentDetail,
  DeploymentHistoryItem,
  DeploymentPatch,
  DeploymentSpec,
  DeploymentStatus,
  InstanceType,
  PredictInput,
  PredictionResult
} from '@primehub-suite/client';
import { inspectModel, modelHints, type ModelServer, type ModelSource } from '@primehub-suite/client/deployments';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import type { KeyValueStore } from '../vscode-objs/storage';
import { DeploymentsModel } from './DeploymentsModel';
import { parseModelUri } from './deploymentsText';
import { SavedRequests } from './SavedRequests';

/** How a deployment's wait ended: the deployment as read then. */
export interface Settled {
  deployment: DeploymentDetail;
  status: DeploymentStatus;
}

/** What a model URI tells about the model server to use and a request to send. */
export interface ModelHints {
  server: ModelServer;
  /** Why that server ("MLmodel with the sklearn flavour"). */
  reason: string;
  /** A sample request from the model's input example or signature, when it has one. */
  example?: PredictInput;
  /** What the sample was made from ("the model's input example"). */
  exampleFrom?: string;
}

/** HTTP Basic credentials of a deployment's client (private endpoints). */
export interface ClientAuth {
  username: string;
  password: string;
}

/**
 * The group's deployments for the Deployments view and its commands: listing, deploying and following
 * a deployment to a stable status, start/stop/update/delete, history, logs, clients, and sending
 * requests to an endpoint. Keeps the DeploymentsModel current. No UI.
 */
export class DeploymentsManager {
  readonly model = new DeploymentsModel();
  /** Test Endpoint's saved and last requests. */
  readonly requests: SavedRequests;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: Logger,
    state: KeyValueStore
  ) {
    this.requests = new SavedRequests(state);
  }

  /**
   * Lists the deployments with their specs, and the newest version of the registered models they
   * serve; a failure is recorded (the view says why) and rethrown (the scheduler backs off).
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    if (this.connection.state !== 'signedIn') {
      this.model.clear();
      return;
    }
    try {
      const client = this.connection.client;
      // an action's own read of a deployment, landing while this listing is read, is the newer
      const mark = this.model.mark();
      const listed = await client.deployments.list({ signal });
      // the listing has no model URI nor update time: each deployment's spec is read
      const details = await Promise.all(listed.map(d => this.detailOf(d, signal)));
      this.model.setListing(details, await this.latestVersions(details, signal), mark);
    } catch (e) {
      this.model.setError(e);
      this.connection.noteError(e);
      throw e;
    }
  }

  /** One deployment read again into the model. */
  async reread(id: string, signal?: AbortSignal): Promise<DeploymentDetail> {
    const d = await this.connection.call(c => c.deployments.get(id, { signal }));
    this.model.put(d);
    return d;
  }

  /** Creates a deployment; it starts deploying at once. */
  async create(spec: DeploymentSpec, signal?: AbortSignal): Promise<Deployment> {
    const created = await this.connection.call(c => c.deployments.create(spec, { signal }));
    this.log.info(`created deployment ${created.id} of ${spec.modelURI ?? 'no model URI'} (${spec.modelImage})`);
    await this.reread(created.id, signal).catch(() => undefined);
    return created;
  }

  /**
   * Follows a deployment until it is stable (Deployed, Stopped or Failed), telling each status; the
   * view follows it too. Aborting stops the waiting only.
   */
  async settle(id: string, signal?: AbortSignal, onStatus?: (status: DeploymentStatus) => void): Promise<Settled> {
    const { status } = await this.connection.call(c =>
      c.deployments.wait(id, {
        signal,
        onStatus: s => {
          onStatus?.(s);
          // the view's row moves with the notification
          void this.reread(id).catch(() => undefined);
        }
      })
    );
    const deployment = await this.reread(id, signal);
    this.log.info(`deployment ${id} is ${status}`);
    return { deployment, status };
  }

  async start(id: string, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.deployments.start(id, { signal }));
    await this.reread(id, signal).catch(() => undefined);
  }

  async stop(id: string, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.deployments.stop(id, { signal }));
    await this.reread(id, signal).catch(() => undefined);
  }

  /** Changes a deployment's spec (PrimeHub deploys it again). */
  async update(id: string, patch: DeploymentPatch, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.deployments.update(id, patch, { signal }));
    this.log.info(`updated deployment ${id}: ${Object.keys(patch).join(', ')}`);
    await this.reread(id, signal).catch(() => undefined);
  }

  async delete(id: string, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.deployments.delete(id, { signal }));
    this.log.info(`deleted deployment ${id}`);
    this.model.remove(id);
    await this.requests.forget(this.requestKey(id));
  }

  history(id: string, signal?: AbortSignal): Promise<DeploymentHistoryItem[]> {
    return this.connection.call(c => c.deployments.history(id, { signal }));
  }

  /** The deployment pod's log, followed. */
  logs(id: string, signal: AbortSignal): AsyncIterable<string> {
    return this.connection.client.deployments.logs(id, { follow: true, signal });
  }

  /** Adds a client to a private endpoint: its token is in the answer only. */
  async addClient(id: string, name: string, signal?: AbortSignal): Promise<{ name: string; plainTextToken: string }> {
    const created = await this.connection.call(c => c.deployments.clients.create(id, name, { signal }));
    this.log.info(`added client ${name} to deployment ${id}`);
    await this.reread(id, signal).catch(() => undefined);
    return created;
  }

  async deleteClient(id: string, name: string, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.deployments.clients.delete(id, name, { signal }));
    this.log.info(`deleted client ${name} of deployment ${id}`);
    await this.reread(id, signal).catch(() => undefined);
  }

  /** Sends a request to a deployment's endpoint: any HTTP answer comes back (its status, body, latency). */
  send(endpoint: string, input: PredictInput, auth?: ClientAuth, signal?: AbortSignal): Promise<PredictionResult> {
    return this.connection.call(c => c.deployments.send(endpoint, input, { auth, signal }));
  }

  /** The group's instance types (a deployment's too). */
  instanceTypes(signal?: AbortSignal): Promise<InstanceType[]> {
    return this.connection.call(c => c.groups.instanceTypes({ signal }));
  }

  /**
   * The model server to preselect for a model URI and why, from the model folder's files and MLflow
   * flavours; with a sample request when the model has an input example or a signature.
   */
  async hintsFor(modelUri: string, signal?: AbortSignal): Promise<ModelHints> {
    let source: ModelSource | undefined;
    try {
      source = await this.connection.call(c => inspectModel(c, modelUri, { signal }));
    } catch (e) {
      // hints only: the server is picked by hand then
      this.log.warn(`reading ${modelUri} for its model server: ${e instanceof Error ? e.message : String(e)}`);
    }
    const hints = modelHints(source);
    return {
      ...hints,
      ...(hints.example
        ? { exampleFrom: source?.inputExample !== undefined ? "the model's input example" : "the model's signature" }
        : {})
    };
  }

  /** `phfs:///jobArtifacts/<job>/<folder>/`: a folder of a job's artifacts as a model URI. */
  jobArtifactUri(jobId: string, folder: string): string {
    const c = this.connection.client;
    return c.files.phfsUri(c.jobs.artifactPath(jobId, folder ? `${folder.replace(/\/+$/, '')}/` : ''));
  }

  /** The key of a deployment's saved requests: profile, group and id. */
  requestKey(id: string): string {
    const p = this.connection.profile;
    return `${p?.id ?? ''}/${p?.group ?? ''}/${id}`;
  }

  /** A listed deployment with its spec (as listed when its spec cannot be read: it may be gone already). */
  private async detailOf(d: Deployment, signal?: AbortSignal): Promise<DeploymentDetail> {
    try {
      return await this.connection.client.deployments.get(d.id, { signal });
    } catch (e) {
      if (signal?.aborted) {
        throw e;
      }
      return asDetail(d);
    }
  }

  /** The newest version of each registered model the deployments serve; none when MLflow does not answer. */
  private async latestVersions(details: DeploymentDetail[], signal?: AbortSignal): Promise<Map<string, string>> {
    const latest = new Map<string, string>();
    if (!details.some(d => parseModelUri(d.modelURI))) {
      return latest;
    }
    try {
      for (const m of await this.connection.client.models.list({ signal })) {
        const versions = (m.latestVersions ?? []).map(v => Number(v.version)).filter(Number.isFinite);
        if (versions.length > 0) {
          latest.set(m.name, String(Math.max(...versions)));
        }
      }
    } catch {
      // no "Update to version N" offered until MLflow answers
    }
    return latest;
  }
}

function asDetail(d: Deployment): DeploymentDetail {
  return {
    ...d,
    updateMessage: null,
    metadata: null,
    userName: null,
    groupName: null,
    modelURI: null,
    instanceType: null,
    creationTime: null,
    lastUpdatedTime: null,
    pods: d.pods ?? null,
    env: null
  };
}
