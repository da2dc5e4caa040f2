import { Signal } from '@lumino/signaling';
import { describeError, isPrimeHubError, type GroupRef, type PrimeHubClient } from '@primehub-suite/client/browser';
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

/**
 * The group the panel should work in: the one chosen if the user still has it, else the
 * notebook's group if the user has that, else the user's first group.
 */
export function groupToUse(
  chosen: string | null,
  notebookGroup: string | null,
  groups: ReadonlyArray<GroupRef>
): string | null {
  const has = (name: string | null): name is string => name !== null && groups.some(g => g.name === name);
  if (has(chosen)) {
    return chosen;
  }
  if (has(notebookGroup)) {
    return notebookGroup;
  }
  return groups[0]?.name ?? chosen ?? notebookGroup;
}

/** The extension's connection to PrimeHub: config from the server, sign-in state, current group. */
export class PrimeHubSession implements IPrimeHub {
  readonly client: PrimeHubClient;
  readonly changed: Signal<IPrimeHub, void> = new Signal<IPrimeHub, void>(this);
  private _config: IPrimeHubConfig | null = null;
  private _group: string | null = null;
  private _settings: IPrimeHubSettings = DEFAULT_SETTINGS;
  private _signedIn = false;
  private _groups: ReadonlyArray<GroupRef> = [];
  private _connectError = '';

  constructor(client?: PrimeHubClient) {
    // A rejected token is noticed once, where every request passes, whichever view sent it.
    this.client = client ?? createClient(() => this.tokenRejected());
  }

  get config(): IPrimeHubConfig | null {
    return this._config;
  }

  get group(): string | null {
    return this._group;
  }

  /** Why the first contact with the server extension failed ('' while none did). */
  get connectError(): string {
    return this._connectError;
  }

  /** The first contact: like `refresh`, with a failure kept in `connectError` instead of thrown. */
  async connect(): Promise<void> {
    try {
      await this.refresh();
      this._connectError = '';
    } catch (err) {
      this._connectError = this.describe('Reaching the PrimeHub server extension', err);
      this.changed.emit();
    }
  }

  get groups(): ReadonlyArray<GroupRef> {
    return this._groups;
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
    if (this._signedIn) {
      await this.settleGroup();
    } else {
      this._groups = [];
    }
    this.changed.emit();
  }

  async signIn(token: string): Promise<string> {
    const { user } = await serverExtension.saveToken(token);
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

  describe(what: string, err: unknown): string {
    if (isAuthFailure(err)) {
      this.tokenRejected();
    }
    return describeError(what, err).message;
  }

  /**
   * Keeps the group one the signed-in user has: the token may be another user's than before
   * (the client's cached groups were the previous user's).
   */
  private async settleGroup(): Promise<void> {
    let groups: GroupRef[];
    try {
      groups = await this.client.effectiveGroups({ refresh: true });
    } catch {
      // Reported by the views when they call PrimeHub.
      return;
    }
    this._groups = groups;
    const group = groupToUse(this._group, this._config?.group.name ?? null, groups);
    if (group !== null && group !== this._group) {
      this.setGroup(group, false);
    }
  }

  private tokenRejected(): void {
    if (this._signedIn) {
      this._signedIn = false;
      this.changed.emit();
    }
  }
}
