import type { DeploymentDetail } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** A client just made: its name and the token PrimeHub shows this once. */
export interface INewClient {
  name: string;
  token: string;
}

/**
 * One deployment in its tab: its record (status, message, endpoint, replicas) polled while shown,
 * and a private endpoint's clients (added and deleted here).
 */
export class DeploymentModel extends PolledModel {
  private _detail: DeploymentDetail | null = null;
  private _newClient: INewClient | null = null;
  private _changingClients = false;
  private _clientsError = '';

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

  /** The names of the endpoint's clients, as last fetched. */
  get clients(): string[] {
    return (this._detail?.endpointClients ?? []).map(c => c.name);
  }

  /**
   * The client added last with its token, until dismissed: PrimeHub keeps only a hash of a
   * token, so this is the one time it can be shown. Held in memory only, never stored.
   */
  get newClient(): INewClient | null {
    return this._newClient;
  }

  /** Whether a client is being added or deleted. */
  get changingClients(): boolean {
    return this._changingClients;
  }

  /** Why the last client change failed ('' when it worked). */
  get clientsError(): string {
    return this._clientsError;
  }

  /** Adds a client to the endpoint; resolves with it (its token shown once), or null when refused. */
  async addClient(name: string): Promise<INewClient | null> {
    const made = await this.changeClients(`Adding client ${name.trim()}`, () =>
      this.hub.client.deployments.clients.create(this.id, name.trim())
    );
    if (!made) {
      return null;
    }
    this._newClient = { name: made.name, token: made.plainTextToken };
    this.emitChanged();
    return this._newClient;
  }

  /** Forgets the new client's token (it is not shown again). */
  dismissNewClient(): void {
    this._newClient = null;
    this.emitChanged();
  }

  /** Deletes a client: its token no longer calls the endpoint. */
  async deleteClient(name: string): Promise<void> {
    await this.changeClients(`Deleting client ${name}`, () =>
      this.hub.client.deployments.clients.delete(this.id, name)
    );
    if (this._newClient?.name === name) {
      this._newClient = null;
      this.emitChanged();
    }
  }

  override dispose(): void {
    this._newClient = null;
    super.dispose();
  }

  protected what(): string {
    return `Loading deployment ${this.id}`;
  }

  protected async fetch(): Promise<void> {
    this._detail = await this.hub.client.deployments.get(this.id);
    this.emitChanged();
  }

  /**
   * Runs a client change and reads the record again, so the list shows it at once. Its failure
   * stays beside the clients (a poll's success clears only the poll's own error).
   */
  private async changeClients<T>(what: string, change: () => Promise<T>): Promise<T | undefined> {
    this._changingClients = true;
    this._clientsError = '';
    this.emitChanged();
    try {
      return await change();
    } catch (err) {
      this._clientsError = this.hub.describe(what, err);
      return undefined;
    } finally {
      await this.refresh().catch(() => undefined);
      this._changingClients = false;
      this.emitChanged();
    }
  }
}
