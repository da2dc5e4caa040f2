import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { GroupRef, Job, PrimeHubClient } from '@primehub-suite/client/browser';

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
  /** Where the server keeps the API token (absolute path on the notebook server), when it says. */
  tokenFile?: string | null;
}

/** A hidden copy of a notebook made for a job (`POST primehub-suite/snapshot`). */
export interface ISnapshot {
  /** Server path of the snapshot. */
  snapshot: string;
  /** Server path the output notebook will have. */
  output: string;
}

/** One key of the notebook's `~/.ssh/authorized_keys`, as the server extension describes it. */
export interface IAuthorizedKey {
  /** `ssh-ed25519`, `ssh-rsa`, … */
  type: string;
  /** What `ssh-keygen -l` shows in parentheses: `ED25519`, `RSA`, … */
  typeName: string;
  bits: number;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  comment: string;
}

/** The notebook's authorized keys and the file they are in (absolute path on the notebook server). */
export interface IAuthorizedKeys {
  file: string;
  keys: IAuthorizedKey[];
}

/** A public key checked before it is added: what it is and whether the file has it already. */
export interface IKeyCheck {
  key: IAuthorizedKey;
  authorized: boolean;
  file: string;
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
  /** The group the panel works in (defaults to the notebook's, falls back to one the user has). */
  readonly group: string | null;
  /** The signed-in user's groups (empty until known). */
  readonly groups: ReadonlyArray<GroupRef>;
  readonly signedIn: boolean;
  /** Fired when config, sign-in state, group or settings change. */
  readonly changed: ISignal<IPrimeHub, void>;
  /** Why the first contact with the server extension failed ('' while none did). */
  readonly connectError: string;
  refresh(): Promise<void>;
  /** The first contact: like `refresh`, with a failure kept in `connectError` instead of thrown. */
  connect(): Promise<void>;
  signIn(token: string): Promise<string>;
  signOut(): Promise<void>;
  setGroup(name: string): void;
  /**
   * The one sentence a user reads for a failed operation (`what`: "Listing jobs"), from the
   * client's `describeError`. A rejected token has already returned the panel to sign-in.
   */
  describe(what: string, err: unknown): string;
}

export const IPrimeHub = new Token<IPrimeHub>('@primehub-suite/jupyterlab:IPrimeHub', 'PrimeHub connection and client');

/** A submitted job with where its output notebook will be (server path). */
export interface ISubmittedJob {
  job: Job;
  output: string | null;
  /** The sweep the job is one combination of (its MLflow run's tag `primehub.sweep_id`). */
  sweepId?: string;
}

/**
 * What a Compare tab compares (also the compare command's arguments): the MLflow runs of a sweep,
 * of a recurring job's runs, or of jobs the user picked.
 */
export interface ICompareRequest {
  /** The jobs picked (or a sweep's jobs, when known). */
  jobIds?: string[];
  /** A sweep: its runs carry this id in their tag `primehub.sweep_id`. */
  sweepId?: string;
  /** A recurring job: the runs of the jobs it started. */
  scheduleId?: string;
  /** What the tab is called (the sweep's or recurring job's name). */
  label?: string;
}

/** What the panel plugin offers the others: job tabs and end-of-job notifications. */
export interface IPrimeHubJobs {
  /** Opens (or reveals) a job's tab. */
  openJob(id: string): void;
  /** Follows jobs just submitted together (one, or a sweep) and notifies once when they end. */
  track(jobs: ReadonlyArray<ISubmittedJob>, label?: string): void;
  /** The ids of the jobs picked in the panel's list (Ctrl- or Shift-click), in the order picked. */
  selectedJobs(): ReadonlyArray<string>;
}

export const IPrimeHubJobs = new Token<IPrimeHubJobs>(
  '@primehub-suite/jupyterlab:IPrimeHubJobs',
  'PrimeHub job tabs and notifications'
);
