import type { DeploymentDetail, DeploymentStatus } from '@primehub-suite/client';
import { Emitter } from '../util/Emitter';

/** Deployment states that change by themselves: the view refreshes sooner while one is shown. */
const MOVING: ReadonlySet<DeploymentStatus> = new Set<DeploymentStatus>(['Deploying', 'Stopping']);

/**
 * The group's deployments as last listed (each with its full spec: model URI, instance type, last
 * update), the last listing's failure, and the newest version of each registered model the
 * deployments serve (for "Update to version N"). State only.
 */
export class DeploymentsModel {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _deployments: DeploymentDetail[] = [];
  private _loaded = false;
  private _error?: unknown;
  private _failedAt?: Date;
  private latest = new Map<string, string>();

  /** Whether the deployments were listed at least once (since the last clear). */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last listing's failure (undefined after a success). */
  get error(): unknown {
    return this._error;
  }

  /** When the last listing failed (undefined after a success). */
  get failedAt(): Date | undefined {
    return this._failedAt;
  }

  /** The deployments as last listed, by name (then id). */
  get deployments(): readonly DeploymentDetail[] {
    return this._deployments;
  }

  /** Whether a deployment is on its way to Deployed or Stopped. */
  get moving(): boolean {
    return this._deployments.some(d => d.status !== null && MOVING.has(d.status));
  }

  get(id: string): DeploymentDetail | undefined {
    return this._deployments.find(d => d.id === id);
  }

  /** A new listing, with the newest version of each model the deployments serve (`name` → version). */
  set(deployments: DeploymentDetail[], latestVersions: ReadonlyMap<string, string> = new Map()): void {
    this._deployments = [...deployments].sort(
      (a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id)
    );
    this.latest = new Map(latestVersions);
    this._loaded = true;
    this._error = undefined;
    this._failedAt = undefined;
    this._onDidChange.fire();
  }

  /** One deployment read again (after an action on it); a deployment not listed yet is added. */
  put(deployment: DeploymentDetail): void {
    const others = this._deployments.filter(d => d.id !== deployment.id);
    this.set([...others, deployment], this.latest);
  }

  /** A deployment gone (deleted). */
  remove(id: string): void {
    this.set(
      this._deployments.filter(d => d.id !== id),
      this.latest
    );
  }

  /** A failed listing: what was listed stays (shown as last seen). */
  setError(error: unknown, now = new Date()): void {
    this._error = error;
    this._failedAt = now;
    this._onDidChange.fire();
  }

  /** Signed out, or another group or profile: nothing is known. */
  clear(): void {
    this._deployments = [];
    this.latest.clear();
    this._loaded = false;
    this._error = undefined;
    this._failedAt = undefined;
    this._onDidChange.fire();
  }

  /** The newest registered version of model `name`, when known. */
  latestVersionOf(name: string): string | undefined {
    return this.latest.get(name);
  }
}
