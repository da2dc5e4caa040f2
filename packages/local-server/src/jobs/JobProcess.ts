import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { createJobCgroups, limitArgs, type LimitsState } from './cgroupLimits';
import { POD_HOME, POD_PHFS, podVolume, sandboxArgs, SECCOMP_FD, type SandboxState } from './jobSandbox';

/** Everything one job's process needs. */
export interface JobLaunch {
  jobId: string;
  command: string;
  user: string;
  group: string;
  cpu: number;
  memoryGb: number;
  /** Host folders: the job's home (removed by the runner afterwards), its group's volume and PHFS. */
  home: string;
  volume: string;
  phfs: string;
  log: string;
  /** The job's termination message file (`/dev/termination-log` in the sandbox), made empty before it starts. */
  terminationLog?: string;
  /** The virtualenv put first on PATH. */
  pythonEnv?: string;
  /** More variables for the job (the group's MLflow); PrimeHub's own job variables win over them. */
  env?: Record<string, string>;
  sandbox: SandboxState;
  limits: LimitsState;
}

/**
 * One job's command, run as `bash -lc <command>` (never through a shell of ours): in its bubblewrap
 * sandbox when there is one, else as its own process group with the host's paths. The log gets
 * stdout and stderr straight from the process.
 *
 * Events: `exit` (code, signal) once, and `error` (Error) when it could not start.
 */
export class JobProcess extends EventEmitter {
  private constructor(
    private readonly child: ChildProcess,
    readonly sandboxed: boolean
  ) {
    super();
    child.once('error', err => this.emit('error', err));
    child.once('exit', (code, signal) => this.emit('exit', code, signal));
  }

  /** The process PrimeHub Local started (bwrap, or bash without a sandbox); undefined if it did not start. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Makes the job's home (with `artifacts/`, `phfs` and `<group>` links and the login profile) and,
   * on cgroup v1, its cgroups (removed by the runner when it ends).
   */
  static async prepare(l: JobLaunch): Promise<void> {
    await Promise.all([
      mkdir(join(l.home, 'artifacts'), { recursive: true }),
      mkdir(l.phfs, { recursive: true }),
      mkdir(l.volume, { recursive: true }),
      createJobCgroups(l.limits, l.jobId, l.cpu, l.memoryGb)
    ]);
    // Inside the sandbox the links point at the pod's mounts; without one, at the host folders.
    const sandboxed = l.sandbox.available;
    // bash -l reads /etc/profile, which resets PATH: the profile puts the virtualenv back first
    // and, as on PrimeHub, sources the group's profile from the group volume.
    const profile = [
      l.pythonEnv ? `export PATH=${shellQuote(join(l.pythonEnv, 'bin'))}:"$PATH"` : '',
      'if [ -f "$PRIMEHUB_GROUP_VOLUME_PATH/.primehub/profile" ]; then . "$PRIMEHUB_GROUP_VOLUME_PATH/.primehub/profile"; fi',
      ''
    ].join('\n');
    // Independent file operations, each a round trip to libuv's thread pool: issued together.
    await Promise.all([
      symlink(sandboxed ? POD_PHFS : l.phfs, join(l.home, 'phfs')).catch(ignoreExists),
      symlink(sandboxed ? podVolume(l.group) : l.volume, join(l.home, l.group)).catch(ignoreExists),
      writeFile(join(l.home, '.bash_profile'), profile),
      // the job's own user (uid 1000 inside) is the server's user outside: it may write it, nobody else
      l.terminationLog && sandboxed ? writeFile(l.terminationLog, '', { mode: 0o600 }) : undefined
    ]);
  }

  /** The job's environment: PrimeHub's job variables, with the paths the job sees. */
  static environment(l: JobLaunch, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const sandboxed = l.sandbox.available;
    const home = sandboxed ? POD_HOME : l.home;
    return {
      ...l.env,
      PATH: [l.pythonEnv && join(l.pythonEnv, 'bin'), env.PATH ?? '/usr/local/bin:/usr/bin:/bin']
        .filter(Boolean)
        .join(':'),
      HOME: home,
      USER: l.user,
      LANG: env.LANG ?? 'C.UTF-8',
      TZ: env.TZ ?? '',
      PYTHONUNBUFFERED: '1',
      PRIMEHUB_USER: l.user,
      PRIMEHUB_GROUP: l.group,
      PRIMEHUB_GROUP_VOLUME_PATH: sandboxed ? podVolume(l.group) : l.volume,
      PRIMEHUB_PHFS_PATH: join(home, 'phfs'),
      PHJOB_NAME: l.jobId
    };
  }

  /** The program and arguments that run the job's command. */
  static argv(l: JobLaunch): string[] {
    const bash = ['bash', '-lc', l.command];
    const jailed = l.sandbox.available
      ? [
          l.sandbox.bwrap,
          ...sandboxArgs({
            home: l.home,
            volume: l.volume,
            phfs: l.phfs,
            group: l.group,
            pythonEnv: l.pythonEnv,
            accounts: l.sandbox.accounts,
            seccomp: l.sandbox.seccomp !== undefined,
            terminationLog: l.terminationLog
          }),
          ...bash
        ]
      : bash;
    return [...limitArgs(l.limits, l.jobId, l.cpu, l.memoryGb), ...jailed];
  }

  /** Starts the command, its output appended to the job's log. */
  static start(l: JobLaunch): JobProcess {
    const [program, ...args] = JobProcess.argv(l);
    const fd = openSync(l.log, 'a');
    // bwrap reads the seccomp filter from this descriptor (`--seccomp 3`) before it runs the command.
    const filter =
      l.sandbox.available && l.sandbox.seccomp !== undefined ? openSync(l.sandbox.seccomp, 'r') : undefined;
    try {
      const stdio: ('ignore' | number)[] = ['ignore', fd, fd];
      if (filter !== undefined) {
        stdio[SECCOMP_FD] = filter;
      }
      const child = spawn(program, args, {
        cwd: l.sandbox.available ? '/' : l.home,
        env: JobProcess.environment(l),
        detached: true,
        stdio
      });
      return new JobProcess(child, l.sandbox.available);
    } finally {
      closeSync(fd);
      if (filter !== undefined) {
        closeSync(filter);
      }
    }
  }

  /**
   * Asks the command to stop (SIGTERM, as Kubernetes does to a pod) and kills everything left after
   * `graceMs`. In the sandbox the signal goes to the command itself (bwrap would die of it at once);
   * without one, to its process group.
   */
  terminate(graceMs: number): void {
    const pid = this.child.pid;
    if (!this.running || pid === undefined) {
      return;
    }
    const command = this.sandboxed ? sandboxedCommand(pid) : undefined;
    if (this.sandboxed && command === undefined) {
      this.kill();
      return;
    }
    if (command !== undefined) {
      signal(command, 'SIGTERM');
    } else {
      signal(-pid, 'SIGTERM');
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    this.child.once('exit', () => clearTimeout(timer));
  }

  /**
   * Kills every process of the job now. In the sandbox, killing bwrap ends its PID namespace and so
   * every process in it, even those that left the process group.
   */
  kill(): void {
    const pid = this.child.pid;
    if (pid !== undefined) {
      signal(-pid, 'SIGKILL');
    }
  }
}

/** The job's command inside a sandbox: bwrap (`pid`) → the namespace's init → the command. */
function sandboxedCommand(pid: number): number | undefined {
  const init = firstChild(pid);
  return init === undefined ? undefined : firstChild(init);
}

function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function ignoreExists(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EEXIST') {
    throw err;
  }
}

/** POSIX single-quoting, for the server's own paths written into a job's profile. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
