import { randomUUID } from 'node:crypto';
import { type GroupRef, type PrimeHubClient, type User } from '@primehub-suite/client';
import type { Logger } from '../logger/Logger';
import { Emitter } from '../util/Emitter';
import type { SecretStore } from '../vscode-objs/storage';
import { graphqlEndpoint } from './endpoints';
import { Profile, ProfileModel } from './ProfileModel';
import { classifySignInError, SignInError } from './signInErrors';

/** How the extension builds a client (the composition root passes the real constructor). */
export type ClientFactory = (options: {
  endpoint: string;
  group?: string;
  rejectUnauthorized?: boolean;
  getToken: () => Promise<string | undefined>;
  logger: Logger;
  /** Called by the client whenever PrimeHub refuses its token, whichever API made the call. */
  onAuthError?: () => void;
}) => PrimeHubClient;

/** `signedOut`: no usable profile; `expired`: the active profile's token was rejected. */
export type ConnectionState = 'signedOut' | 'signedIn' | 'expired';

/** What a sign-in needs. */
export interface SignInInput {
  /** A PrimeHub URL or GraphQL endpoint. */
  endpoint: string;
  token: string;
  /** Preferred group; the first of the user's groups otherwise. */
  group?: string;
  label?: string;
  allowSelfSigned?: boolean;
}

/** Thrown when a command needs a connection and there is none. */
export class NotSignedInError extends Error {
  override name = 'NotSignedInError';
  constructor() {
    super('Not signed in to PrimeHub');
  }
}

/**
 * Owns the profiles' clients (one per profile, built by the injected factory) and the tokens in
 * secret storage; verifies sign-ins with `me`. No UI.
 */
export class ConnectionManager {
  private readonly _onDidChangeState = new Emitter<ConnectionState>();
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidFail = new Emitter<unknown>();
  /** Every failure of a call or listing (the reachability monitor looks for unreachable servers). */
  readonly onDidFail = this._onDidFail.event;
  private readonly _onDidChangeGroup = new Emitter<string | undefined>();
  readonly onDidChangeGroup = this._onDidChangeGroup.event;

  private readonly clients = new Map<string, PrimeHubClient>();
  private readonly tokens = new Map<string, string>();
  private _state: ConnectionState = 'signedOut';
  private _user?: User;

  constructor(
    readonly profiles: ProfileModel,
    private readonly secrets: SecretStore,
    private readonly createClient: ClientFactory,
    private readonly log: Logger
  ) {}

  static secretKey(profileId: string): string {
    return `primehub.token.${profileId}`;
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The signed-in user, once verified. */
  get user(): User | undefined {
    return this._user;
  }

  get profile(): Profile | undefined {
    return this.profiles.active;
  }

  /** The active profile's client; NotSignedInError when signed out. */
  get client(): PrimeHubClient {
    const profile = this.profiles.active;
    if (!profile || this._state === 'signedOut') {
      throw new NotSignedInError();
    }
    return this.clientFor(profile);
  }

  /** Picks up the active profile at activation without a network call (its token is checked on first use). */
  async restore(): Promise<ConnectionState> {
    const profile = this.profiles.active;
    const token = profile ? await this.token(profile.id) : undefined;
    this.setState(profile && token ? 'signedIn' : 'signedOut');
    return this._state;
  }

  /** Checks an endpoint and token with `me` and the user's groups; throws SignInError. */
  async verify(
    input: SignInInput,
    signal?: AbortSignal
  ): Promise<{ endpoint: string; user: User; groups: GroupRef[] }> {
    const endpoint = graphqlEndpoint(input.endpoint);
    const token = input.token.trim();
    if (!token) {
      throw new SignInError('badToken', 'The API token is empty.');
    }
    const client = this.createClient({
      endpoint,
      rejectUnauthorized: !input.allowSelfSigned,
      getToken: async () => token,
      logger: this.log
    });
    try {
      const user = await client.me.get({ signal });
      const groups = await client.effectiveGroups({ signal });
      return { endpoint, user, groups };
    } catch (e) {
      throw classifySignInError(endpoint, e);
    } finally {
      await client.close();
    }
  }

  /** Verifies, stores the token in secret storage and makes the profile active. */
  async signIn(input: SignInInput, signal?: AbortSignal): Promise<Profile> {
    const { endpoint, user, groups } = await this.verify(input, signal);
    const existing = this.profiles.findByEndpoint(endpoint, user.username);
    this.log.debug(
      `sign-in to ${endpoint} as ${user.username}: ${existing ? `updating profile ${existing.label}` : 'new profile'}`
    );
    const id = existing?.id ?? randomUUID();
    const group =
      groups.find(g => g.name === input.group)?.name ??
      groups.find(g => g.name === existing?.group)?.name ??
      groups[0]?.name;
    try {
      await this.secrets.store(ConnectionManager.secretKey(id), input.token.trim());
    } catch (e) {
      // no keyring (e.g. Linux without a Secret Service): never fall back to plain settings
      throw new Error(`VS Code could not store the token in its secret storage: ${(e as Error).message}`, { cause: e });
    }
    this.tokens.set(id, input.token.trim());
    await this.dropClient(id);
    const profile: Profile = {
      id,
      label: input.label?.trim() || existing?.label || this.profiles.uniqueLabel(defaultLabel(endpoint)),
      endpoint,
      group,
      allowSelfSigned: input.allowSelfSigned || undefined,
      username: user.username
    };
    await this.profiles.upsert(profile);
    await this.profiles.setActive(id);
    this._user = user;
    this.log.info(`signed in to ${endpoint} as ${user.username} (group ${group ?? 'none'})`);
    this.setState('signedIn');
    this._onDidChangeGroup.fire(group);
    return profile;
  }

  /** Removes the profile's token and the profile; another profile with a token becomes active. */
  async signOut(profileId = this.profiles.activeId): Promise<void> {
    if (!profileId) {
      return;
    }
    await this.secrets.delete(ConnectionManager.secretKey(profileId));
    this.tokens.delete(profileId);
    await this.dropClient(profileId);
    const wasActive = profileId === this.profiles.activeId;
    await this.profiles.remove(profileId);
    this.log.info('signed out');
    if (wasActive) {
      this._user = undefined;
      const next = this.profiles.profiles[0];
      if (next) {
        await this.switchProfile(next.id);
      } else {
        this.setState('signedOut');
      }
    }
  }

  /** Makes another saved profile active. */
  async switchProfile(profileId: string): Promise<void> {
    if (!this.profiles.get(profileId)) {
      throw new Error(`no profile ${profileId}`);
    }
    await this.profiles.setActive(profileId);
    this._user = undefined;
    const token = await this.token(profileId);
    this.setState(token ? 'signedIn' : 'signedOut');
    this._onDidChangeGroup.fire(this.profiles.active?.group);
  }

  /** The active profile's groups (the user's effective groups). */
  async groups(signal?: AbortSignal): Promise<GroupRef[]> {
    return this.client.effectiveGroups({ signal, refresh: true });
  }

  /** Switches the active profile's current group. */
  async setGroup(name: string): Promise<void> {
    const profile = this.profiles.active;
    if (!profile) {
      throw new NotSignedInError();
    }
    await this.profiles.update(profile.id, { group: name });
    this.clients.get(profile.id)?.setGroup(name);
    this._onDidChangeGroup.fire(name);
  }

  /** The signed-in user, fetched once per profile. */
  async me(signal?: AbortSignal): Promise<User> {
    if (!this._user) {
      this._user = await this.client.me.get({ signal });
    }
    return this._user;
  }

  /**
   * Runs one call of the signed-in client; its failure is noted (see `noteError`) before it
   * reaches the caller. A refused token has already turned the connection to "sign in again"
   * through the client's `onAuthError`.
   */
  async call<T>(fn: (client: PrimeHubClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (e) {
      this.noteError(e);
      throw e;
    }
  }

  /** Tells the listeners of `onDidFail` of a failed call (an unreachable PrimeHub turns the views offline). */
  noteError(e: unknown): void {
    this._onDidFail.fire(e);
  }

  /** Called when PrimeHub rejected the active token: views show "sign in again". */
  markExpired(): void {
    if (this._state === 'signedIn') {
      this.log.warn('the API token was rejected');
      this.setState('expired');
    }
  }

  /** Forgets cached tokens (another window changed the secret storage). */
  async onSecretsChanged(key: string): Promise<void> {
    const id = [...this.tokens.keys()].find(k => ConnectionManager.secretKey(k) === key);
    if (id) {
      this.tokens.delete(id);
    }
    if (this.profiles.activeId && ConnectionManager.secretKey(this.profiles.activeId) === key) {
      await this.restore();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.clients.keys()].map(id => this.dropClient(id)));
    this._onDidChangeState.dispose();
    this._onDidChangeGroup.dispose();
  }

  private clientFor(profile: Profile): PrimeHubClient {
    let client = this.clients.get(profile.id);
    if (!client) {
      client = this.createClient({
        endpoint: profile.endpoint,
        group: profile.group,
        rejectUnauthorized: !profile.allowSelfSigned,
        getToken: () => this.token(profile.id),
        logger: this.log,
        // the one place a refused token is noticed: every call, listing, log stream and transfer
        onAuthError: () => {
          if (this.profiles.activeId === profile.id) {
            this.markExpired();
          }
        }
      });
      this.clients.set(profile.id, client);
    }
    return client;
  }

  private async token(profileId: string): Promise<string | undefined> {
    let t = this.tokens.get(profileId);
    if (t === undefined) {
      t = await this.secrets.get(ConnectionManager.secretKey(profileId));
      if (t !== undefined) {
        this.tokens.set(profileId, t);
      }
    }
    return t;
  }

  private async dropClient(profileId: string): Promise<void> {
    const client = this.clients.get(profileId);
    this.clients.delete(profileId);
    await client?.close();
  }

  private setState(state: ConnectionState): void {
    if (state !== this._state) {
      this._state = state;
      this._onDidChangeState.fire(state);
    }
  }
}

function defaultLabel(endpoint: string): string {
  const host = new URL(endpoint).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' ? 'PrimeHub Local' : host;
}
