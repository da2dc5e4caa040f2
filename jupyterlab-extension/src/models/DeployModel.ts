import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { Deployment, InstanceType } from '@primehub-suite/client/browser';
import {
  inspectModel,
  MODEL_SERVERS,
  phfsPathOf,
  registryRef,
  suggestModelServer,
  type ModelServer
} from '@primehub-suite/client/deployments';
import type { IPrimeHub } from '../tokens';

/** What the Deploy dialog starts from: a model URI and, when known, a name for the deployment. */
export interface IDeployRequest {
  uri?: string;
  name?: string;
}

/** Who can call the endpoint: anyone who reaches it, or clients with a name and token. */
export type EndpointAccess = 'public' | 'private';

/** The longest name whose generated id (`<name>-<5 hex>`) PrimeHub still takes (63 characters). */
const MAX_NAME = 57;

/**
 * Why a deployment name would be refused ('' when it is fine): PrimeHub makes the deployment's id
 * from it (`iris-prod` → `iris-prod-1a2b3`), lower-cased, every other character a dash.
 */
export function deploymentNameProblem(name: string): string {
  const n = name.trim();
  if (!n) {
    return 'Give the deployment a name.';
  }
  if (!/^[A-Za-z0-9]/.test(n)) {
    return 'Start the name with a letter or a digit.';
  }
  if (n.length > MAX_NAME) {
    return `Use at most ${MAX_NAME} characters.`;
  }
  return '';
}

/** A deployment name from a model URI: the registered model's name, or the folder's. */
export function nameFromUri(uri: string): string {
  const ref = registryRef(uri);
  const base = ref ? ref.name : ((phfsPathOf(uri) ?? uri).replace(/\/+$/, '').split('/').pop() ?? '');
  return base
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, MAX_NAME);
}

/** Why a model URI cannot be deployed as typed ('' when it looks right). */
export function modelUriProblem(uri: string): string {
  const u = uri.trim();
  if (!u) {
    return 'Give the model URI: models:/<name>/<version> or phfs:///<folder>.';
  }
  if (u.startsWith('phfs://') && !u.startsWith('phfs:///')) {
    return 'A PHFS URI has three slashes: phfs:///<folder>.';
  }
  if (u.startsWith('models:') && !registryRef(u)) {
    return 'A registered model is models:/<name>/<version>.';
  }
  return '';
}

/**
 * The Deploy dialog's state: the deployment's name, model URI, model server (suggested from what
 * the URI holds: a PHFS folder's files or a version's run artifacts), instance type (the group's),
 * replicas and endpoint access; then the deployment made. The dialog only renders this state.
 */
export class DeployModel implements IDisposable {
  private readonly _changed = new Signal<this, void>(this);
  private _disposed = false;
  private _name: string;
  private _nameTouched: boolean;
  private _uri: string;
  private _image: string = MODEL_SERVERS[0].image;
  private _imageTouched = false;
  private _reason = '';
  private _inspecting = false;
  private _instanceTypes: InstanceType[] | null = null;
  private _instanceType: string;
  private _replicas = '1';
  private _access: EndpointAccess = 'public';
  private _deploying = false;
  private _result: Deployment | null = null;
  private _error = '';
  /** Answers about an earlier URI are dropped. */
  private _inspection = 0;
  private _inspectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hub: IPrimeHub,
    request: IDeployRequest = {}
  ) {
    this._uri = request.uri ?? '';
    this._name = request.name ?? (this._uri ? nameFromUri(this._uri) : '');
    this._nameTouched = request.name !== undefined;
    this._instanceType = hub.config?.instanceType ?? '';
  }

  /** Emitted whenever what the dialog shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get name(): string {
    return this._name;
  }

  get uri(): string {
    return this._uri;
  }

  /** The model server's image (a deployment's `modelImage`). */
  get image(): string {
    return this._image;
  }

  /** The servers to pick from. */
  get servers(): ReadonlyArray<ModelServer> {
    return MODEL_SERVERS;
  }

  /** Why the server shown was suggested ('' before the model was looked at, or once picked by hand). */
  get reason(): string {
    return this._reason;
  }

  /** While the model URI is looked into. */
  get inspecting(): boolean {
    return this._inspecting;
  }

  /** The group's instance types (null while they are listed). */
  get instanceTypes(): ReadonlyArray<InstanceType> | null {
    return this._instanceTypes;
  }

  get instanceType(): string {
    return this._instanceType;
  }

  get replicas(): string {
    return this._replicas;
  }

  get access(): EndpointAccess {
    return this._access;
  }

  get deploying(): boolean {
    return this._deploying;
  }

  /** The deployment made (null until then). */
  get result(): Deployment | null {
    return this._result;
  }

  /** Why the last call failed ('' when it worked). */
  get error(): string {
    return this._error;
  }

  get nameProblem(): string {
    return deploymentNameProblem(this._name);
  }

  get uriProblem(): string {
    return modelUriProblem(this._uri);
  }

  get replicasProblem(): string {
    return /^\d+$/.test(this._replicas.trim()) && Number(this._replicas) >= 1 && Number(this._replicas) <= 20
      ? ''
      : 'Replicas: a whole number from 1 to 20.';
  }

  /** A model server PrimeHub Local cannot run, picked on PrimeHub Local ('' otherwise). */
  get serverNote(): string {
    const server = MODEL_SERVERS.find(s => s.image === this._image);
    return server && !server.local && this.hub.config?.isLocal
      ? `PrimeHub Local does not run the ${server.label} server; deploy it on a PrimeHub cluster.`
      : '';
  }

  get canDeploy(): boolean {
    return (
      !this._deploying &&
      !this._result &&
      !this.nameProblem &&
      !this.uriProblem &&
      !this.replicasProblem &&
      !!this._instanceType &&
      !!this._image
    );
  }

  /** Lists the instance types and looks into the model URI given. */
  async start(): Promise<void> {
    this.inspect();
    try {
      const types = await this.hub.client.groups.instanceTypes();
      this._instanceTypes = types;
      if (!types.some(t => t.name === this._instanceType)) {
        this._instanceType = types[0]?.name ?? '';
      }
    } catch (err) {
      this._instanceTypes = [];
      this._error = this.hub.describe(`Listing the instance types of ${this.hub.group}`, err);
    }
    this.emit();
  }

  /** A name typed stays, whatever URI is typed after. */
  setName(name: string): void {
    this._name = name;
    this._nameTouched = true;
    this.emit();
  }

  /** A new model URI (the name follows it until typed): looked into once typing pauses, for the server to suggest. */
  setUri(uri: string): void {
    this._uri = uri;
    if (!this._nameTouched) {
      this._name = nameFromUri(uri);
    }
    clearTimeout(this._inspectTimer);
    this._inspectTimer = setTimeout(() => this.inspect(), 400);
    this.emit();
  }

  /** A server picked by hand stays, whatever the URI holds. */
  setImage(image: string): void {
    this._image = image;
    this._imageTouched = true;
    this._reason = '';
    this.emit();
  }

  setInstanceType(name: string): void {
    this._instanceType = name;
    this.emit();
  }

  setReplicas(value: string): void {
    this._replicas = value;
    this.emit();
  }

  setAccess(access: EndpointAccess): void {
    this._access = access;
    this.emit();
  }

  /** Creates the deployment; resolves with it (null, with `error` set, when PrimeHub refused). */
  async deploy(): Promise<Deployment | null> {
    if (!this.canDeploy) {
      return null;
    }
    this._deploying = true;
    this._error = '';
    this.emit();
    try {
      this._result = await this.hub.client.deployments.create({
        name: this._name.trim(),
        modelURI: this._uri.trim(),
        modelImage: this._image,
        instanceType: this._instanceType,
        replicas: Number(this._replicas),
        endpointAccessType: this._access
      });
      return this._result;
    } catch (err) {
      this._error = this.hub.describe(`Deploying ${this._name.trim()}`, err);
      return null;
    } finally {
      this._deploying = false;
      this.emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    clearTimeout(this._inspectTimer);
    Signal.clearData(this);
  }

  private emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** Looks into the URI and preselects the server it calls for (unless one was picked by hand). */
  private inspect(): void {
    const uri = this._uri.trim();
    const inspection = ++this._inspection;
    if (!uri || this.uriProblem) {
      this._inspecting = false;
      this.emit();
      return;
    }
    this._inspecting = true;
    this.emit();
    void inspectModel(this.hub.client, uri)
      .then(
        info => {
          if (inspection !== this._inspection || this._imageTouched) {
            return;
          }
          if (!info) {
            this._reason = '';
            return;
          }
          const suggestion = suggestModelServer(info.files, info.flavors);
          this._image = suggestion.server.image;
          this._reason = `Suggested for ${info.where}: ${suggestion.reason}.`;
        },
        err => {
          if (inspection === this._inspection) {
            this._reason = this.hub.describe('Looking into the model', err);
          }
        }
      )
      .finally(() => {
        if (inspection === this._inspection) {
          this._inspecting = false;
          this.emit();
        }
      });
  }
}
