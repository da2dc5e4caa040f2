import { Emitter } from '../util/Emitter';
import type { KeyValueStore } from '../vscode-objs/storage';

/** A saved connection: everything but the token, which lives in secret storage. */
export interface Profile {
  /** Stable key of the profile's secret. */
  id: string;
  /** Shown in the status bar and pickers, e.g. "PrimeHub Local". */
  label: string;
  /** The GraphQL endpoint, `https://host/api/graphql`. */
  endpoint: string;
  /** Current group name. */
  group?: string;
  /** The user accepted this endpoint's self-signed TLS certificate. */
  allowSelfSigned?: boolean;
  /** Username seen at sign-in. */
  username?: string;
}

const PROFILES_KEY = 'primehub.profiles';
const ACTIVE_KEY = 'primehub.activeProfile';

/** The saved profiles and which one is active (state only, no UI, no network). */
export class ProfileModel {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly state: KeyValueStore) {}

  get profiles(): Profile[] {
    return this.state.get<Profile[]>(PROFILES_KEY) ?? [];
  }

  get activeId(): string | undefined {
    const id = this.state.get<string>(ACTIVE_KEY);
    return this.profiles.some(p => p.id === id) ? id : undefined;
  }

  get active(): Profile | undefined {
    const id = this.activeId;
    return this.profiles.find(p => p.id === id);
  }

  get(id: string): Profile | undefined {
    return this.profiles.find(p => p.id === id);
  }

  /** The profile already saved for this endpoint and user, if any (sign-in reuses it). */
  findByEndpoint(endpoint: string, username?: string): Profile | undefined {
    return this.profiles.find(p => p.endpoint === endpoint && (username === undefined || p.username === username));
  }

  /** Adds or replaces a profile (by id). */
  async upsert(profile: Profile): Promise<void> {
    const rest = this.profiles.filter(p => p.id !== profile.id);
    await this.state.update(PROFILES_KEY, [...rest, profile]);
    this._onDidChange.fire();
  }

  async update(id: string, patch: Partial<Omit<Profile, 'id'>>): Promise<void> {
    const p = this.get(id);
    if (p) {
      await this.upsert({ ...p, ...patch });
    }
  }

  async remove(id: string): Promise<void> {
    await this.state.update(
      PROFILES_KEY,
      this.profiles.filter(p => p.id !== id)
    );
    if (this.state.get<string>(ACTIVE_KEY) === id) {
      await this.state.update(ACTIVE_KEY, undefined);
    }
    this._onDidChange.fire();
  }

  async setActive(id: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, id);
    this._onDidChange.fire();
  }

  /** A label not used by another profile ("PrimeHub Local", "PrimeHub Local (2)", …). */
  uniqueLabel(base: string, exceptId?: string): string {
    const taken = new Set(this.profiles.filter(p => p.id !== exceptId).map(p => p.label));
    let label = base;
    for (let i = 2; taken.has(label); i++) {
      label = `${base} (${i})`;
    }
    return label;
  }
}
