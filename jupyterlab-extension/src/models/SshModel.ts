import { FeatureUnavailableError, NotFoundError, type NotebookSshStatus } from '@primehub-suite/client/browser';
import type { IAuthorizedKey, IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** The calls the model makes to read and remove keys (the server extension's routes: `serverExtension`). */
export interface IKeyStore {
  authorizedKeys(): Promise<{ file: string; keys: IAuthorizedKey[] }>;
  removeKey(fingerprint: string): Promise<{ file: string; keys: IAuthorizedKey[] }>;
}

/**
 * The SSH section's state: whether this notebook's SSH server is on (PrimeHub Local's switch,
 * through the client's `ssh` API), its state and the `~/.ssh/config` block, and the keys of the
 * notebook's `~/.ssh/authorized_keys` (the server extension's). The two are fetched apart: keys can
 * be managed on a PrimeHub without the switch (SSH is chosen in the spawner there) or while
 * PrimeHub does not answer.
 */
export class SshModel extends PolledModel {
  private _status: NotebookSshStatus | null = null;
  private _unavailable = '';
  private _keys: IAuthorizedKey[] | null = null;
  private _keysFile = '';
  private _keysError = '';
  private _switching = false;

  constructor(
    hub: IPrimeHub,
    private readonly store: IKeyStore
  ) {
    // the status changes when someone switches it, or when sshd dies and restarts
    super(hub, 'ssh', 2);
  }

  /** The notebook's SSH status (null before the first answer, or when the server has no SSH switch). */
  get status(): NotebookSshStatus | null {
    return this._status;
  }

  /** Why this PrimeHub has no SSH switch to show ('' when it has one). */
  get unavailable(): string {
    return this._unavailable;
  }

  /** The authorized keys (null before the first answer). */
  get keys(): ReadonlyArray<IAuthorizedKey> | null {
    return this._keys;
  }

  /** The file the keys are in, on the notebook server. */
  get keysFile(): string {
    return this._keysFile;
  }

  /** Why the keys could not be read or changed ('' when the last call worked). */
  get keysError(): string {
    return this._keysError;
  }

  /** While a switch of SSH on or off is on its way (the server answers once sshd runs or stopped). */
  get switching(): boolean {
    return this._switching;
  }

  /** The notebook's user, whose notebook SSH is switched. */
  private get user(): string | null {
    return this.hub.config?.user ?? null;
  }

  /** Turns the notebook's SSH server on or off; resolves once PrimeHub Local has done it. */
  async setEnabled(enabled: boolean): Promise<void> {
    const user = this.user;
    if (!user || this._switching) {
      return;
    }
    this._switching = true;
    this.emitChanged();
    try {
      const status = await this.act(enabled ? 'Enabling SSH' : 'Disabling SSH', () =>
        this.hub.client.ssh.setEnabled(user, enabled)
      );
      if (status) {
        this._status = status;
      }
    } finally {
      this._switching = false;
      this.emitChanged();
    }
  }

  /** Removes a key from `~/.ssh/authorized_keys`; resolves with whether it worked. */
  async removeKey(key: IAuthorizedKey): Promise<boolean> {
    try {
      this.setKeys(await this.store.removeKey(key.fingerprint));
      return true;
    } catch (err) {
      this._keysError = this.hub.describe(`Removing key ${key.fingerprint}`, err);
      this.emitChanged();
      return false;
    }
  }

  /** Shows the keys the server answered with after a change made elsewhere (the Add dialog). */
  setKeys(answer: { file: string; keys: IAuthorizedKey[] }): void {
    this._keys = answer.keys;
    this._keysFile = answer.file;
    this._keysError = '';
    this.emitChanged();
  }

  protected what(): string {
    return 'Reading the notebook SSH status';
  }

  protected async fetch(): Promise<void> {
    await Promise.all([this.fetchKeys(), this.fetchStatus()]);
  }

  private async fetchKeys(): Promise<void> {
    try {
      const answer = await this.store.authorizedKeys();
      this._keys = answer.keys;
      this._keysFile = answer.file;
      this._keysError = '';
    } catch (err) {
      this._keysError = this.hub.describe('Reading ~/.ssh/authorized_keys', err);
    }
    this.emitChanged();
  }

  private async fetchStatus(): Promise<void> {
    const user = this.user;
    if (!user) {
      this._unavailable = 'This notebook server does not say whose notebook it is (JUPYTERHUB_USER is not set).';
      this.emitChanged();
      return;
    }
    try {
      this._status = await this.hub.client.ssh.status(user);
      this._unavailable = '';
    } catch (err) {
      // a PrimeHub cluster (SSH is chosen when the notebook is started, not switched here), or a
      // PrimeHub Local this notebook does not run beside: a state to explain, not a failure to retry
      if (!(err instanceof FeatureUnavailableError || err instanceof NotFoundError)) {
        throw err;
      }
      this._status = null;
      this._unavailable = err.message;
    }
    this.emitChanged();
  }
}
