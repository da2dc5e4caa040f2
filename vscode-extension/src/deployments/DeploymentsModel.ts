import type { DeploymentDetail, DeploymentStatus } from '@primehub-suite/client';
import { ListModel } from '../util/ListModel';

/** Deployment states that change by themselves: the view refreshes sooner while one is shown. */
const MOVING: ReadonlySet<DeploymentStatus> = new Set<DeploymentStatus>(['Deploying', 'Stopping']);

/**
 * The group's deployments as last listed (each with its full spec: model URI, instance type, last
 * update), the last listing's failure and when it failed, and the newest version of each registered
 * model the deployments serve (for "Update to version N"). State only.
 */
export class DeploymentsModel extends ListModel<DeploymentDetail> {
  private latest = new Map<string, string>();
  private _failedAt?: Date;

  /** The deployments as last listed, by name (then id). */
  get deployments(): readonly DeploymentDetail[] {
    return this.items;
  }

  /** When the last listing failed (undefined after a success). */
  get failedAt(): Date | undefined {
    return this._failedAt;
  }

  /** Whether a deployment is on its way to Deployed or Stopped. */
  get moving(): boolean {
    return this.items.some(d => d.status !== null && MOVING.has(d.status));
  }

  get(id: string): DeploymentDetail | undefined {
    return this.items.find(d => d.id === id);
  }

  /** A new listing, with the newest version of each model the deployments serve (`name` → version). */
  setListing(deployments: DeploymentDetail[], latestVersions: ReadonlyMap<string, string> = new Map()): void {
    this.latest = new Map(latestVersions);
    this._failedAt = undefined;
    this.set(
      [...deployments].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id))
    );
  }

  /** One deployment read again (after an action on it); a deployment not listed yet is added. */
  put(deployment: DeploymentDetail): void {
    this.setListing([...this.items.filter(d => d.id !== deployment.id), deployment], this.latest);
  }

  /** A deployment gone (deleted). */
  remove(id: string): void {
    this.setListing(
      this.items.filter(d => d.id !== id),
      this.latest
    );
  }

  /** A failed listing: what was listed stays (shown as last seen). */
  override setError(error: unknown, now = new Date()): void {
    this._failedAt = now;
    super.setError(error);
  }

  /** Signed out, or another group or profile: nothing is known. */
  override clear(): void {
    this.latest.clear();
    this._failedAt = undefined;
    super.clear();
  }

  /** The newest registered version of model `name`, when known. */
  latestVersionOf(name: string): string | undefined {
    return this.latest.get(name);
  }
}
