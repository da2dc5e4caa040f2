import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { DataDir } from '../DataDir';
import type { Logger } from '../logger';
import { readAuthorizedKeys, type AuthorizedKey } from './authorizedKeys';
import { escapeUsername, notebookHost, type SshConfigTarget } from './notebookHost';
import { NotebookSshd, type SshdState } from './NotebookSshd';

/** What PrimeHub Local says about one notebook's SSH server (`GET /api/ssh/notebooks/<user>`). */
export interface NotebookSshStatus {
  user: string;
  /** Whether SSH is enabled for the notebook (the spawner's "Enable SSH Server"). */
  enabled: boolean;
  state: SshdState;
  /** `jupyter-<escaped user>.hub`, the host the bastion connects to. */
  host: string;
  /** The account to log in to the notebook as (PrimeHub Local's own user: its sshd runs as that user). */
  login: string;
  reason?: string;
}

/** A notebook the bastion may connect a client to: SSH enabled and its sshd running. */
export interface SshTarget {
  user: string;
  /** Its sshd's loopback port. */
  port: number;
  /** The keys its `~/.ssh/authorized_keys` holds now. */
  keys(): Promise<AuthorizedKey[]>;
}

export interface NotebookSshOptions {
  /** The users whose notebook runs beside this server (`npm start`'s): only they can have SSH. */
  users: readonly string[];
  /** Whether their SSH servers start with PrimeHub Local (`--ssh`). */
  enabled: boolean;
  /** Another sshd than Debian's (tests). */
  sshdProgram?: string;
}

/**
 * The SSH servers of the notebooks that run beside PrimeHub Local. Only those notebooks can have one: each sshd
 * runs as PrimeHub Local's own OS user, as their JupyterLab does, so a user without a notebook here (whose jobs
 * run sandboxed) gets no login this way.
 */
export class NotebookSsh {
  private readonly sshds = new Map<string, NotebookSshd>();
  private readonly login = userInfo().username;

  constructor(
    private readonly dirs: DataDir,
    private readonly opts: NotebookSshOptions,
    private readonly log: Logger
  ) {}

  /** Starts the SSH servers of the notebooks, when `--ssh` asked for them. */
  async start(): Promise<void> {
    if (this.opts.enabled) {
      await Promise.all(this.opts.users.map(u => this.setEnabled(u, true)));
    }
  }

  /** Whether `user`'s notebook runs beside this server. */
  has(user: string): boolean {
    return this.opts.users.includes(user);
  }

  /** Turns `user`'s notebook SSH server on (resolves once it accepts connections or has failed) or off. */
  async setEnabled(user: string, enabled: boolean): Promise<NotebookSshStatus> {
    if (!this.has(user)) {
      throw new Error(`no notebook of user ${user} runs beside this PrimeHub Local`);
    }
    const running = this.sshds.get(user);
    if (enabled && !running) {
      const sshd = new NotebookSshd(
        {
          home: this.dirs.notebooks(user),
          dir: join(this.dirs.root, 'ssh', 'notebooks', escapeUsername(user)),
          program: this.opts.sshdProgram
        },
        this.log
      );
      this.sshds.set(user, sshd);
      await sshd.start();
      this.log.info(
        `SSH enabled for ${user}'s notebook (${notebookHost(user)}, sshd ${JSON.stringify(sshd.status())})`
      );
    } else if (!enabled && running) {
      this.sshds.delete(user);
      await running.stop();
      this.log.info(`SSH disabled for ${user}'s notebook`);
    }
    return this.status(user);
  }

  status(user: string): NotebookSshStatus {
    const sshd = this.sshds.get(user);
    const s = sshd?.status();
    return {
      user,
      enabled: sshd !== undefined,
      state: s?.state ?? 'off',
      host: notebookHost(user),
      login: this.login,
      ...(s?.reason ? { reason: s.reason } : {})
    };
  }

  /** The running notebook whose host is `host` (case-insensitive, as DNS names are). */
  target(host: string): SshTarget | undefined {
    const wanted = host.toLowerCase();
    for (const [user, sshd] of this.sshds) {
      const port = sshd.target;
      if (port !== undefined && notebookHost(user) === wanted) {
        return { user, port, keys: () => readAuthorizedKeys(this.dirs.notebooks(user)) };
      }
    }
    return undefined;
  }

  /** Every notebook with SSH enabled and running: the bastion accepts a key that one of them authorizes. */
  targets(): SshTarget[] {
    return [...this.sshds.keys()].map(u => this.target(notebookHost(u))).filter((t): t is SshTarget => !!t);
  }

  /** The config block PrimeHub's spawner shows, for `user`'s notebook behind the bastion at `bastion`. */
  configTarget(user: string, bastion: { host: string; port: number }): SshConfigTarget {
    return { host: notebookHost(user), login: this.login, bastionHost: bastion.host, bastionPort: bastion.port };
  }

  /** Stops every notebook SSH server. */
  async stop(): Promise<void> {
    const all = [...this.sshds.values()];
    this.sshds.clear();
    await Promise.all(all.map(s => s.stop()));
  }
}
