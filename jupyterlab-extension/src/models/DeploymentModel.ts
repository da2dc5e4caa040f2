import type { DeploymentDetail } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** One deployment in its tab: its record (status, message, endpoint, replicas) polled while shown. */
export class DeploymentModel extends PolledModel {
  private _detail: DeploymentDetail | null = null;

  constructor(
    hub: IPrimeHub,
    readonly id: string
  ) {
    super(hub, `deployment-${id}`);
  }

  /** The deployment as last fetched (null before the first answer). */
  get detail(): DeploymentDetail | null {
    return this._detail;
  }

  /** Whether the endpoint takes HTTP Basic client credentials. */
  get isPrivate(): boolean {
    return this._detail?.endpointAccessType === 'private';
  }

  protected what(): string {
    return `Loading deployment ${this.id}`;
  }

  protected async fetch(): Promise<void> {
    this._detail = await this.hub.client.deployments.get(this.id);
    this.emitChanged();
  }
}
