import { Signal } from '@lumino/signaling';
import { isPrimeHubError, type PrimeHubClient } from '@primehub-suite/client/browser';
import { createClient, serverExtension, ServerExtensionError } from './api';
import type { IPrimeHub, IPrimeHubConfig, IPrimeHubSettings } from './tokens';

export const DEFAULT_SETTINGS: IPrimeHubSettings = {
  pollIntervalSeconds: 5,
  notifications: true,
  defaultTimeoutMinutes: 60
};

/** True when PrimeHub (or the proxy, having no token) rejected the call's credentials. */
export function isAuthFailure(err: unknown): boolean {
  return (
    (isPrimeHubError(err) && err.code === 'AUTH_FAILED') || (err instanceof ServerExtensionError && err.status === 401)
  );
}

/** The extension's connection to PrimeHub: config from the server, sign-in state, current group. */
export class PrimeHubSession implements IPrimeHub {
  readonly client: PrimeHubClient;
  readonly changed: Signal<IPrimeHub, void> = new Signal<IPrimeHub, void>(this);
  private _config: IPrimeHubConfig | null = null;
  private _group: string | null = null;
  private _settings: IPrimeHubSettings = DEFAULT_SETTINGS;
  private _signedIn = false;

  constructor() {
    this.client = createClient();
  }

  get config(): IPrimeHubConfig | null {
    return this._config;
  }

  get group(): string | null {
    return this._group;
  }

  get signedIn(): boolean {
    return this._signedIn;
  }

  get settings(): IPrimeHubSettings {
    return this._settings;
  }

  set settings(value: IPrimeHubSettings) {
    this._settings = value;
    this.changed.emit();
  }

  async refresh(): Promise<void> {
    this._config = await serverExtension.config();
    if (this._group === null && this._config.group.name) {
      this.setGroup(this._config.group.name, false);
    }
    this._signedIn = this._config.tokenSet;
    this.changed.emit();
  }

  async signIn(token: string): Promise<string> {
    const { user } = await serverExtension.saveToken(token);
    // The token may be another user's: the client's cached groups were the previous user's.
    await this.client.effectiveGroups({ refresh: true }).catch(() => undefined);
    await this.refresh();
    return user;
  }

  async signOut(): Promise<void> {
    await serverExtension.clearToken();
    await this.refresh();
  }

  setGroup(name: string, emit = true): void {
    this._group = name;
    this.client.setGroup(name);
    if (emit) {
      this.changed.emit();
    }
  }

  handleError(err: unknown): string {
    if (isAuthFailure(err) && this._signedIn) {
      this._signedIn = false;
      this.changed.emit();
    }
    return err instanceof Error ? err.message : String(err);
  }
}
