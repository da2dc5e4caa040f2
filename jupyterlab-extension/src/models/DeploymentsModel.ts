import type { Deployment, DeploymentStatus } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** A deployment as a row of the Deployments section shows it. */
export interface IDeploymentRow extends Deployment {
  /** The model the deployment serves (`models:/…`, `phfs:///…`), null while unknown. */
  modelURI: string | null;
}

/** The statuses a deployment passes through on its way to a stable one. */
export function isSettling(status: DeploymentStatus | null): boolean {
  return status === 'Deploying' || status === 'Stopping';
}

/**
 * The group's deployments as the Deployments section shows them, newest first, with what can be
 * done to one (start, stop, delete). Polled while the section is visible, so a deployment just
 * created or started is followed to Deployed (or Failed, with its message) in its row.
 */
export class DeploymentsModel extends PolledModel {
  private _items: IDeploymentRow[] | null = null;
  private _note = '';
  private _group: string | null;
  private _highlight: string | null = null;
  private readonly _busy = new Set<string>();
  /** Model URIs by deployment id: the list does not carry them, a deployment's own record does. */
  private readonly _uris = new Map<string, string | null>();

  constructor(hub: IPrimeHub) {
    super(hub, 'deployments');
    this._group = hub.group;
    hub.changed.connect(this.onHubChanged, this);
  }

  /** The deployments (null before the first answer). */
  get items(): ReadonlyArray<IDeploymentRow> | null {
    return this._items;
  }

  /** What the last action did ("Stopped iris"). */
  get note(): string {
    return this._note;
  }

  /** The deployment just created, shown marked in the list ('' for none). */
  get highlight(): string | null {
    return this._highlight;
  }

  /** Whether an action on this deployment is on its way. */
  isBusy(id: string): boolean {
    return this._busy.has(id);
  }

  /** Marks a deployment just made (e.g. by the Deploy dialog) and lists it at once. */
  async show(id: string): Promise<void> {
    this._highlight = id;
    this.emitChanged();
    await this.refresh();
  }

  /** Starts a stopped deployment. */
  startDeployment(d: Deployment): Promise<void> {
    return this.action(d, 'Starting', 'Started', () => this.hub.client.deployments.start(d.id));
  }

  /** Stops a deployment; its spec is kept for Start. */
  stopDeployment(d: Deployment): Promise<void> {
    return this.action(d, 'Stopping', 'Stopping', () => this.hub.client.deployments.stop(d.id));
  }

  /** Deletes a deployment (the view asks first). */
  async deleteDeployment(d: Deployment): Promise<void> {
    await this.action(d, 'Deleting', 'Deleted', async () => {
      await this.hub.client.deployments.delete(d.id);
      this._items = this._items?.filter(i => i.id !== d.id) ?? null;
      this._uris.delete(d.id);
    });
  }

  override dispose(): void {
    this.hub.changed.disconnect(this.onHubChanged, this);
    super.dispose();
  }

  protected what(): string {
    return 'Listing deployments';
  }

  protected async fetch(): Promise<void> {
    const group = this.hub.group;
    const client = this.hub.client;
    const list = await client.deployments.list();
    // the records of deployments not seen before, for their model URIs
    const unknown = list.filter(d => !hasUri(d) && !this._uris.has(d.id));
    await Promise.all(
      unknown.map(async d => {
        const detail = await client.deployments.get(d.id);
        this._uris.set(d.id, detail.modelURI);
      })
    );
    if (group !== this.hub.group) {
      return;
    }
    this._items = list.map(d => ({ ...d, modelURI: hasUri(d) ? d.modelURI : (this._uris.get(d.id) ?? null) }));
    this.emitChanged();
  }

  private async action(d: Deployment, doing: string, done: string, run: () => Promise<unknown>): Promise<void> {
    this._busy.add(d.id);
    this.emitChanged();
    try {
      if ((await this.act(`${doing} "${d.name ?? d.id}"`, async () => (await run(), true))) !== undefined) {
        this._note = `${done} ${d.name ?? d.id}`;
      }
    } finally {
      this._busy.delete(d.id);
      this.emitChanged();
    }
  }

  private onHubChanged(): void {
    if (this.hub.group !== this._group) {
      this._group = this.hub.group;
      this._items = null;
      this._note = '';
      this._highlight = null;
      this._uris.clear();
      this.emitChanged();
      void this.poll.refresh();
    }
  }
}

/** Whether a listed deployment carries its model URI (a list query that asks for it). */
function hasUri(d: Deployment): d is Deployment & { modelURI: string | null } {
  return 'modelURI' in d;
}
