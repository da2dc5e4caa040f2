import {
  FeatureUnavailableError,
  NotFoundError,
  notebookSshHost,
  sshKeyLink,
  type NotebookSshStatus,
  type PrimeHubClient,
  type User
} from '@primehub-suite/client';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger/Logger';
import { Emitter } from '../util/Emitter';
import type { KeyValueStore } from '../vscode-objs/storage';
import { forwardPort, HopError, openNotebook, type PortForward } from './notebookTunnel';
import { aliasesOf, blockLabel, type SshBlockSpec } from './sshConfigBlock';
import type { BlockCheck, SshConfigFile } from './SshConfigFile';
import { BASTION_USER, diagnose, examine, type Diagnosis, type DoctorFacts, type NotebookFacts } from './SshDoctor';
import { createKey, existingKey, keyAuth, type SshKey } from './sshKeys';

/** What the SSH commands need of the sign-in (structurally the ConnectionManager). */
export interface SshConnection {
  readonly client: PrimeHubClient;
  readonly profile?: { id: string; endpoint: string };
  me(signal?: AbortSignal): Promise<User>;
}

/** Settings and machine facts, read when needed. */
export interface SshEnvironment {
  /** The SSH config to write (`remote.SSH.configFile`, else `~/.ssh/config`). */
  configFile(): SshConfigFile;
  /** The bastion's port on a PrimeHub cluster (PrimeHub Local says its own). Default 2222. */
  clusterBastionPort(): number;
  /** Whether the signed-in PrimeHub is PrimeHub Local (from `/api/health`). */
  isLocal(signal?: AbortSignal): Promise<boolean>;
  /** The SSH agent's socket (`SSH_AUTH_SOCK`). */
  agentSocket(): string | undefined;
  /** Where new keys go (default `~/.ssh`). */
  keyDir?(): string;
}

/** The notebook to connect to, as PrimeHub describes it. */
export interface NotebookTarget extends NotebookFacts {
  user: string;
  aliases: { notebook: string; bastion: string };
}

const KEY_PATHS = 'primehub.ssh.keyPaths';
const AUTHORIZED_AT = 'primehub.ssh.authorizedAt';

/**
 * The notebook SSH work of the commands, without UI: which notebook and bastion (from PrimeHub Local's SSH API,
 * or PrimeHub's conventions on a cluster), the key for this PrimeHub, SSH on or off, the config block, a
 * preflight through the hops, forwarded ports, and the doctor.
 */
export class SshManager {
  private readonly _forwards = new Set<PortForward>();
  private readonly _onDidChangeForwards = new Emitter<void>();
  readonly onDidChangeForwards = this._onDidChangeForwards.event;

  constructor(
    private readonly connection: SshConnection,
    private readonly store: KeyValueStore,
    private readonly env: SshEnvironment,
    private readonly log: Logger
  ) {}

  /** The ports forwarded now. */
  get forwards(): PortForward[] {
    return [...this._forwards];
  }

  /** The signed-in user's notebook: its SSH status on PrimeHub Local, PrimeHub's conventions on a cluster. */
  async target(signal?: AbortSignal): Promise<NotebookTarget> {
    const endpoint = this.connection.profile?.endpoint;
    if (!endpoint) {
      throw new Error('not signed in to PrimeHub');
    }
    const label = blockLabel(endpoint);
    const user = (await this.connection.me(signal)).username;
    const isLocal = await this.env.isLocal(signal);
    let status: NotebookSshStatus | undefined;
    let notebookMissing = false;
    try {
      status = await this.connection.client.ssh.status(user, { signal });
    } catch (e) {
      if (e instanceof NotFoundError) {
        notebookMissing = true;
      } else if (!(e instanceof FeatureUnavailableError)) {
        throw e;
      }
    }
    const configFile = this.env.configFile();
    const spec: SshBlockSpec = {
      label,
      bastionHost: status?.bastion.host ?? new URL(endpoint).hostname,
      bastionPort: status?.bastion.port ?? this.env.clusterBastionPort(),
      bastionUser: status?.bastion.user ?? BASTION_USER,
      notebookHost: status?.host ?? notebookSshHost(user),
      notebookPort: status?.port ?? 22,
      login: status?.login ?? 'jovyan',
      identityFile: this.keyPath(label),
      knownHostsFile: join(dirname(configFile.path), 'primehub_known_hosts')
    };
    return { user, isLocal, status, notebookMissing, spec, aliases: aliasesOf(label) };
  }

  /** The key used for this PrimeHub: the one picked before, else `~/.ssh/primehub_<label>_ed25519`. */
  keyPath(label: string): string {
    const picked = this.store.get<Record<string, string>>(KEY_PATHS)?.[label];
    return picked ?? join(this.env.keyDir?.() ?? join(homedir(), '.ssh'), `primehub_${label}_ed25519`);
  }

  /** Remembers the key picked for this PrimeHub. */
  async setKeyPath(label: string, path: string): Promise<void> {
    const all = { ...(this.store.get<Record<string, string>>(KEY_PATHS) ?? {}), [label]: path };
    await this.store.update(KEY_PATHS, all);
  }

  /** The key at `path`, made (ed25519, no passphrase) when there is none; never overwrites a file. */
  async ensureKey(path: string, comment: string): Promise<{ key: SshKey; created: boolean }> {
    const found = await existingKey(path);
    if (found) {
      return { key: found, created: false };
    }
    const key = await createKey(path, comment);
    this.log.info(`created the SSH key ${path}`);
    return { key, created: true };
  }

  /** Turns SSH on for the user's notebook (PrimeHub Local); resolves with the new status. */
  async enable(user: string, signal?: AbortSignal): Promise<NotebookSshStatus> {
    const status = await this.connection.client.ssh.setEnabled(user, true, { signal });
    this.log.info(`SSH enabled for ${user}'s notebook: sshd ${status.state}`);
    return status;
  }

  /** The link that asks the notebook's JupyterLab to authorize the key; remembered as "asked at now". */
  async authorizeLink(label: string, labUrl: string, key: SshKey): Promise<string> {
    const link = sshKeyLink(labUrl, key.publicKey);
    await this.noteAuthorizeAsked(label);
    return link;
  }

  /**
   * Remembers that the key was just sent to be authorized: for 15 minutes the doctor takes a refusal by a
   * cluster's bastion for its key cache not knowing the key yet.
   */
  async noteAuthorizeAsked(label: string): Promise<void> {
    await this.store.update(AUTHORIZED_AT, {
      ...(this.store.get<Record<string, number>>(AUTHORIZED_AT) ?? {}),
      [label]: Date.now()
    });
  }

  /** The signed-in PrimeHub's origin (`https://primehub.example.com`). */
  origin(): string {
    const endpoint = this.connection.profile?.endpoint;
    if (!endpoint) {
      throw new Error('not signed in to PrimeHub');
    }
    return new URL(endpoint).origin;
  }

  /** The SSH config the blocks go to. */
  configFile(): SshConfigFile {
    return this.env.configFile();
  }

  /** When the key was last sent to be authorized (ms since the epoch). */
  authorizedAt(label: string): number | undefined {
    return this.store.get<Record<string, number>>(AUTHORIZED_AT)?.[label];
  }

  /**
   * Signs in through both hops with the key (the preflight of Connect); resolves with the notebook's home, or
   * the HopError that says where it stopped.
   */
  async tryNotebook(
    spec: SshBlockSpec,
    key: SshKey,
    signal?: AbortSignal
  ): Promise<{ home?: string; error?: HopError }> {
    const auth = await keyAuth(key, this.env.agentSocket());
    try {
      const session = await openNotebook(spec, auth, {
        signal,
        readyTimeoutMs: 15_000,
        knownHostsFile: spec.knownHostsFile
      });
      try {
        const res = await session.exec('printf %s "$HOME"');
        return { home: res.code === 0 && res.stdout.startsWith('/') ? res.stdout : undefined };
      } finally {
        session.close();
      }
    } catch (e) {
      if (e instanceof HopError) {
        return { error: e };
      }
      throw e;
    }
  }

  /** Writes the block, then asks `ssh -G` whether ssh resolves the alias as written. */
  async writeBlock(spec: SshBlockSpec): Promise<{ changed: boolean; check: BlockCheck; file: SshConfigFile }> {
    const file = this.env.configFile();
    const changed = await file.upsert(spec);
    this.log.info(`${changed ? 'wrote' : 'kept'} the PrimeHub block for ${spec.label} in ${file.path}`);
    return { changed, check: await file.check(spec), file };
  }

  /** Removes this PrimeHub's block; false when there was none. */
  async removeBlock(): Promise<{ removed: boolean; file: SshConfigFile; label: string }> {
    const endpoint = this.connection.profile?.endpoint;
    if (!endpoint) {
      throw new Error('not signed in to PrimeHub');
    }
    const label = blockLabel(endpoint);
    const file = this.env.configFile();
    const removed = await file.remove(label);
    this.log.info(`${removed ? 'removed' : 'found no'} PrimeHub block for ${label} in ${file.path}`);
    return { removed, file, label };
  }

  /** Forwards the notebook's `port` to a free local port through the bastion; listed until stopped. */
  async forward(spec: SshBlockSpec, key: SshKey, port: number, signal?: AbortSignal): Promise<PortForward> {
    const session = await openNotebook(spec, await keyAuth(key, this.env.agentSocket()), {
      signal,
      readyTimeoutMs: 15_000,
      knownHostsFile: spec.knownHostsFile
    });
    let forward: PortForward;
    try {
      forward = await forwardPort(session, port);
    } catch (e) {
      session.close();
      throw e;
    }
    this._forwards.add(forward);
    forward.onStop(() => {
      this._forwards.delete(forward);
      this.log.info(`stopped forwarding notebook port ${port}`);
      this._onDidChangeForwards.fire();
    });
    this.log.info(`forwarding notebook port ${port} to ${forward.url}`);
    this._onDidChangeForwards.fire();
    return forward;
  }

  /** Runs the doctor for the signed-in user's notebook. */
  async doctor(signal?: AbortSignal): Promise<{ target: NotebookTarget; facts: DoctorFacts; diagnosis: Diagnosis }> {
    const target = await this.target(signal);
    const facts = await examine({
      notebook: target,
      keyPath: target.spec.identityFile,
      configFile: this.env.configFile(),
      agentSocket: this.env.agentSocket(),
      authorizedAt: this.authorizedAt(target.spec.label),
      readyTimeoutMs: 15_000,
      signal
    });
    const diagnosis = diagnose(facts);
    this.log.info(`SSH doctor: ${diagnosis.cause} at ${diagnosis.hop}: ${diagnosis.problem}`);
    return { target, facts, diagnosis };
  }

  /** Stops every forwarded port. */
  dispose(): void {
    for (const f of [...this._forwards]) {
      f.stop();
    }
    this._onDidChangeForwards.dispose();
  }
}
