import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { PrimeHubClient } from '@primehub-suite/client/browser';

/** What the server extension tells about this notebook server (`GET primehub-suite/config`). */
export interface IPrimeHubConfig {
  group: { id: string | null; name: string | null };
  instanceType: string | null;
  image: string | null;
  user: string | null;
  /** The spawner's `PRIMEHUB_*` variables (never a token). */
  env: Record<string, string>;
  apiEndpoint: string;
  /** `https://host/api`: the prefix log endpoints and file URLs start with. */
  apiBase: string;
  consoleUrl: string | null;
  isLocal: boolean;
  /** Server path of the group volume (e.g. `phusers`), or null when this server has none. */
  groupVolume: string | null;
  /** Server path of PHFS (e.g. `phfs`). */
  phfs: string | null;
  tokenSet: boolean;
}

/** A hidden copy of a notebook made for a job (`POST primehub-suite/snapshot`). */
export interface ISnapshot {
  /** Server path of the snapshot. */
  snapshot: string;
  /** Server path the output notebook will have. */
  output: string;
}

/** User settings (schema/plugin.json). */
export interface IPrimeHubSettings {
  pollIntervalSeconds: number;
  notifications: boolean;
  defaultTimeoutMinutes: number;
}

/** The signed-in state and the client the whole extension shares. */
export interface IPrimeHub {
  readonly config: IPrimeHubConfig | null;
  readonly client: PrimeHubClient;
  readonly settings: IPrimeHubSettings;
  /** The group the panel works in (defaults to the notebook's). */
  readonly group: string | null;
  readonly signedIn: boolean;
  /** Fired when config, sign-in state, group or settings change. */
  readonly changed: ISignal<IPrimeHub, void>;
  refresh(): Promise<void>;
  signIn(token: string): Promise<string>;
  signOut(): Promise<void>;
  setGroup(name: string): void;
  /** Reports an error of any call; a rejected token returns the panel to sign-in. */
  handleError(err: unknown): string;
}

export const IPrimeHub = new Token<IPrimeHub>('@primehub-suite/jupyterlab:IPrimeHub', 'PrimeHub connection and client');
