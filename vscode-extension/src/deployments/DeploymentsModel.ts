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
  /** Counts the deployments read on their own or removed (after an action on them). */
  private seq = 0;
  /** When (by `seq`) each of them was read on its own or removed, kept until a listing begun later. */
  private readAt = new Map<string, number>();

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

  /**
   * A mark taken as a listing begins: a deployment read on its own (or removed) after it is newer than
   * what that listing says of it (a client added while the list was read).
   */
  mark(): number {
    return this.seq;
  }

  /**
   * A new listing, with the newest version of each model the deployments serve (`name` → version);
   * given the mark taken as it began, the deployments read on their own since then stay as read.
   */
  setListing(
    deployments: DeploymentDetail[],
    latestVersions: ReadonlyMap<string, string> = new Map(),
    mark?: number
  ): void {
    if (mark !== undefined) {
      const newer = new Set([...this.readAt].filter(([, at]) => at > mark).map(([id]) => id));
      deployments = [
        ...deployments.filter(d => !newer.has(d.id)),
        ...[...newer].flatMap(id => this.items.filter(d => d.id === id))
      ];
      this.readAt = new Map([...this.readAt].filter(([id]) => newer.has(id)));
    }
    this.latest = new Map(latestVersions);
    this._failedAt = undefined;
    this.set(
      [...deployments].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id))
    );
  }

  /** One deployment read again (after an action on it); a deployment not listed yet is added. */
  put(deployment: DeploymentDetail): void {
    this.readAt.set(deployment.id, ++this.seq);
    this.setListing([...this.items.filter(d => d.id !== deployment.id), deployment], this.latest);
  }

  /** A deployment gone (deleted). */
  remove(id: string): void {
    this.readAt.set(id, ++this.seq);
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
    this.readAt.clear();
    this._failedAt = undefined;
    super.clear();
  }

  /** The newest registered version of model `name`, when known. */
  latestVersionOf(name: string): string | undefined {
    return this.latest.get(name);
  }
}
