import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync, appendFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable } from '../jobs/jobSandbox';
import type { Logger } from '../logger';
import { loopbackPort } from '../ports';
import { groupGone, processesWithEnv, signalGroup } from '../processes';
import { ensureHostKey } from './authorizedKeys';

/** Given to each notebook sshd (and so to the per-connection processes it forks) to find them all at stop. */
export const SSHD_MARKER_ENV = 'PRIMEHUB_LOCAL_SSHD';

const HOST = '127.0.0.1';
/** Where Debian's `openssh-server` puts sshd; it must be run by its absolute path (it re-executes itself). */
const SSHD_PATH = '/usr/sbin:/usr/local/sbin:/sbin';

/** `off` until started; `running` once it accepts connections; `stopped` after it died or was stopped. */
export type SshdState = 'off' | 'starting' | 'running' | 'stopped';

export interface NotebookSshdOptions {
  /** The notebook's home: its `.ssh/authorized_keys` is the sshd's `AuthorizedKeysFile`. */
  home: string;
  /** The sshd's own folder in the data directory: config, host key, log. */
  dir: string;
  /** Another sshd than Debian's (tests). */
  program?: string;
  /** Restarts after it dies, at most this many in a row that never became ready (default 5). */
  maxFailures?: number;
  /** Time it gets to stop after SIGTERM (default 5 s). */
  stopGraceMs?: number;
}

/** An sshd_config value in double quotes; a value sshd could not read back (a quote, a line break) is refused. */
function quoted(value: string): string {
  if (/["\n\r]/.test(value)) {
    throw new Error(`an sshd config value cannot hold quotes or line breaks: ${JSON.stringify(value)}`);
  }
  return `"${value}"`;
}

/**
 * A notebook's OpenSSH server, as PrimeHub's `ensure_sshd.sh` starts one in a notebook pod: Debian's `sshd` run as
 * this process's user on a loopback port, with its own config and host key under {@link NotebookSshdOptions.dir},
 * the notebook home's `~/.ssh/authorized_keys` as the only keys, public-key authentication only and TCP
 * forwarding allowed (VS Code's Remote-SSH needs it). Supervised like MLflow: its own process group, told by
 * `setpriv --pdeathsig` when PrimeHub Local dies, restarted after a backoff when it dies, and stopped together with
 * every connection it serves.
 */
export class NotebookSshd {
  private child?: ChildProcess;
  private port?: number;
  private state: SshdState = 'off';
  private reason?: string;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private readonly marker: string;
  private readonly onProcessExit = (): void => signalGroup(this.child?.pid, 'SIGTERM');

  constructor(
    private readonly opts: NotebookSshdOptions,
    private readonly log: Logger
  ) {
    this.marker = `${SSHD_MARKER_ENV}=${opts.dir}`;
  }

  /** Its state, its loopback port once chosen, and why it is stopped. */
  status(): { state: SshdState; port?: number; reason?: string } {
    return {
      state: this.state,
      ...(this.port !== undefined ? { port: this.port } : {}),
      ...(this.reason ? { reason: this.reason } : {})
    };
  }

  /** The loopback port to connect to, while it runs. */
  get target(): number | undefined {
    return this.state === 'running' ? this.port : undefined;
  }

  get logFile(): string {
    return join(this.opts.dir, 'sshd.log');
  }

  /** Writes its config and host key and starts it; resolves once it accepts connections (or has failed). */
  async start(): Promise<void> {
    this.stopping = false;
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    mkdirSync(join(this.opts.home, '.ssh'), { recursive: true, mode: 0o700 });
    await this.endLeftovers();
    const program = this.opts.program ?? findExecutable('sshd', SSHD_PATH);
    if (!program) {
      this.set('stopped', 'sshd is not installed (Debian openssh-server; the bootstrap installs it)');
      this.log.warn(`notebook SSH server: ${this.reason}`);
      return;
    }
    if (process.getuid?.() === 0) {
      // sshd run as root separates privileges into this folder (Debian's own service makes it at boot).
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    }
    const hostKey = join(this.opts.dir, 'ssh_host_ed25519_key');
    await ensureHostKey(hostKey);
    this.port = await loopbackPort(this.port);
    const config = join(this.opts.dir, 'sshd_config');
    writeFileSync(config, this.config(hostKey), { mode: 0o600 });
    process.on('exit', this.onProcessExit);
    await this.launch(program, config);
  }

  private config(hostKey: string): string {
    const login = userInfo().username;
    return [
      `ListenAddress ${HOST}`,
      `Port ${this.port}`,
      `HostKey ${quoted(hostKey)}`,
      'PidFile none',
      // tokens (%h, %u) are expanded in this one: a % of the path itself is doubled
      `AuthorizedKeysFile ${quoted(join(this.opts.home, '.ssh', 'authorized_keys').replace(/%/g, '%%'))}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'HostbasedAuthentication no',
      'PermitEmptyPasswords no',
      'UsePAM no',
      `AllowUsers ${login}`,
      // only where PrimeHub Local itself runs as root; keys only, as everywhere here
      'PermitRootLogin prohibit-password',
      // VS Code's Remote-SSH forwards a port of its server through the session
      'AllowTcpForwarding yes',
      'AllowAgentForwarding yes',
      'X11Forwarding no',
      'PermitTunnel no',
      'GatewayPorts no',
      // sshd checks every folder up to / when the file is outside the account's passwd home, and a data
      // directory under /tmp (1777) would fail that; the data directory itself is 0700
      'StrictModes no',
      'PrintMotd no',
      `SetEnv HOME=${quoted(this.opts.home).slice(1, -1)}`,
      'Subsystem sftp internal-sftp',
      ''
    ].join('\n');
  }

  private async launch(program: string, config: string): Promise<void> {
    const setpriv = findExecutable('setpriv', '/usr/bin:/bin');
    const args = ['-D', '-e', '-f', config];
    const [file, ...argv] = setpriv ? [setpriv, '--pdeathsig', 'TERM', program, ...args] : [program, ...args];
    appendFileSync(this.logFile, `--- ${new Date().toISOString()} sshd on ${HOST}:${this.port}\n`, { mode: 0o600 });
    const fd = openSync(this.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(file, argv, {
        cwd: this.opts.dir,
        env: {
          PATH: '/usr/local/bin:/usr/bin:/bin',
          LANG: process.env.LANG ?? 'C.UTF-8',
          [SSHD_MARKER_ENV]: this.opts.dir
        },
        detached: true,
        stdio: ['ignore', fd, fd]
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.set('starting');
    let ended = false;
    const end = (why: string): void => {
      if (!ended) {
        ended = true;
        this.ended(child, program, config, why);
      }
    };
    child.once('error', err => end(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => end(`exited with ${code ?? signal}`));
    while (this.child === child && !ended) {
      if (await accepts(this.port!)) {
        if (this.child === child && !ended) {
          this.failures = 0;
          this.set('running');
        }
        return;
      }
      await sleep(25);
    }
  }

  private ended(child: ChildProcess, program: string, config: string, why: string): void {
    if (this.child !== child) {
      return;
    }
    this.child = undefined;
    if (this.stopping) {
      return;
    }
    this.failures += 1;
    const max = this.opts.maxFailures ?? 5;
    if (this.failures > max) {
      this.set('stopped', `sshd ${why}; not restarted after ${max} failed starts (see ${this.logFile})`);
      this.log.error(`notebook SSH server: ${this.reason}`);
      return;
    }
    const delay = Math.min(500 * 2 ** (this.failures - 1), 30_000);
    this.set('stopped', `sshd ${why}; restarting in ${delay} ms`);
    this.log.warn(`notebook SSH server: ${this.reason}`);
    this.timer = setTimeout(() => void this.launch(program, config), delay);
  }

  /** Stops the sshd and every connection it serves (SIGTERM, then SIGKILL after the grace time). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    process.off('exit', this.onProcessExit);
    const pid = this.child?.pid;
    this.child = undefined;
    // the per-connection processes run in sessions of their own, found by the marker they inherited
    const sessions = processesWithEnv(this.marker).filter(p => p !== pid);
    for (const p of sessions) {
      signalPid(p, 'SIGTERM');
    }
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      if (!(await groupGone(pid, this.opts.stopGraceMs ?? 5_000))) {
        signalGroup(pid, 'SIGKILL');
        await groupGone(pid, 5_000);
      }
    }
    for (const p of processesWithEnv(this.marker)) {
      signalPid(p, 'SIGKILL');
    }
    if (this.state !== 'off') {
      this.set('stopped', 'SSH was turned off or PrimeHub Local stopped');
    }
  }

  /** Ends an sshd (and its connections) that an earlier PrimeHub Local left for this notebook. */
  private async endLeftovers(): Promise<void> {
    const left = processesWithEnv(this.marker);
    if (left.length === 0) {
      return;
    }
    this.log.info(`ending the notebook sshd an earlier PrimeHub Local left running (pids ${left.join(', ')})`);
    for (const p of left) {
      signalPid(p, 'SIGKILL');
    }
    const until = Date.now() + 5_000;
    while (processesWithEnv(this.marker).length > 0 && Date.now() < until) {
      await sleep(25);
    }
  }

  private set(state: SshdState, reason?: string): void {
    this.state = state;
    this.reason = reason;
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Whether something accepts TCP connections on the loopback `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
