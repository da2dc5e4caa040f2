import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  mkdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  writeFileSync,
  type Dirent
} from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { TERMINATION_LOG } from './jobOutcome';

/** The environment variable that picks how jobs run: `auto` (default), `sandbox` or `none`. */
export const ISOLATION_ENV = 'PRIMEHUB_LOCAL_JOB_ISOLATION';

/** How jobs are asked to run: in a sandbox if this machine can (`auto`), always, or never. */
export type IsolationMode = 'auto' | 'sandbox' | 'none';

/** Where a PrimeHub pod sees its storage; jobs in the sandbox see it at the same paths. */
export const POD_HOME = '/home/jovyan';
export const POD_PHFS = '/phfs';
export const podVolume = (group: string): string => `/project/${group}`;

/** `--job-isolation sandbox` where the sandbox cannot run: PrimeHub Local does not start. */
export class SandboxUnavailableError extends Error {}

/** The user and group a job runs as in its sandbox, as in a PrimeHub notebook or job pod. */
export const POD_UID = 1000;
export const POD_GID = 100;
export const POD_USER = 'jovyan';

/**
 * Whether jobs run sandboxed here, and why not when they do not. Once prepared for a data directory
 * (see {@link writeAccounts} and `prepareSeccomp`), `accounts` names the folder holding the sandbox's
 * passwd and group files and `seccomp` the BPF filter; without a filter, `weakness` says why.
 */
export type SandboxState =
  | { available: true; bwrap: string; accounts?: string; seccomp?: string; weakness?: string }
  | { available: false; reason: string };

/** The file descriptor bwrap reads the seccomp filter from (the job's fourth stdio entry). */
export const SECCOMP_FD = 3;

/** The requested mode: the explicit one (a `start` flag), else {@link ISOLATION_ENV}, else `auto`. */
export function isolationMode(explicit?: string, env: NodeJS.ProcessEnv = process.env): IsolationMode {
  const mode = explicit ?? env[ISOLATION_ENV] ?? 'auto';
  if (mode !== 'auto' && mode !== 'sandbox' && mode !== 'none') {
    throw new Error(`job isolation must be auto, sandbox or none (got "${mode}")`);
  }
  return mode;
}

/** The first executable `name` on PATH. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) {
      continue;
    }
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * Whether bubblewrap can run jobs on this machine: Linux, `bwrap` installed, and allowed to make
 * the namespaces it needs (a trial sandbox runs `true`).
 */
export function detectSandbox(mode: IsolationMode, platform = process.platform): SandboxState {
  if (mode === 'none') {
    return { available: false, reason: `job isolation is turned off (${ISOLATION_ENV}=none or --job-isolation none)` };
  }
  if (platform !== 'linux') {
    return { available: false, reason: `the job sandbox (bubblewrap) needs Linux; this is ${platform}` };
  }
  const bwrap = findExecutable('bwrap');
  if (!bwrap) {
    return { available: false, reason: 'bubblewrap (bwrap) is not installed: install the Debian package bubblewrap' };
  }
  const trial = spawnSync(bwrap, [...systemMounts(), ...userArgs(), '--unshare-pid', '--die-with-parent', 'true'], {
    encoding: 'utf8',
    timeout: 10_000
  });
  if (trial.status !== 0) {
    const why = (trial.stderr || trial.error?.message || `exit ${trial.status}`).trim().split('\n')[0];
    return { available: false, reason: `bwrap cannot make a sandbox here (are user namespaces disabled?): ${why}` };
  }
  return { available: true, bwrap };
}

/**
 * A user namespace of its own, whatever user PrimeHub Local runs as (root included): the job is
 * jovyan there and holds no capability, not even in its bounding set, and cannot make another
 * user namespace. Its files are the server's user's on the host (uid 1000 inside maps to it).
 */
function userArgs(): string[] {
  return [
    '--unshare-user',
    '--uid',
    String(POD_UID),
    '--gid',
    String(POD_GID),
    '--disable-userns',
    '--cap-drop',
    'ALL'
  ];
}

/** Read-only system folders, mirrored as the host has them (merged-/usr links stay links). */
export function systemMounts(root = '/'): string[] {
  const args = ['--ro-bind', join(root, 'usr'), '/usr'];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const host = join(root, name);
    let stat;
    try {
      stat = lstatSync(host);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) {
      args.push('--symlink', readlinkSync(host), `/${name}`);
    } else if (stat.isDirectory()) {
      args.push('--ro-bind', host, `/${name}`);
    }
  }
  args.push('--ro-bind', join(root, 'etc'), '/etc');
  // Files of /etc that only their owner may read (shadow passwords, keys) stay hidden even from a
  // job running as that owner (PrimeHub Local started as root).
  for (const file of privateEtcFiles(root)) {
    args.push('--ro-bind', '/dev/null', file);
  }
  return args;
}

const privateFiles = new Map<string, string[]>();

/** `/etc` files (two levels deep) that are not world-readable, as paths inside the sandbox; looked up once. */
export function privateEtcFiles(root = '/'): string[] {
  let found = privateFiles.get(root);
  if (!found) {
    found = [];
    const walk = (dir: string, depth: number): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(join(root, dir), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && depth > 1) {
          walk(path, depth - 1);
        } else if (entry.isFile()) {
          try {
            if ((statSync(join(root, path)).mode & 0o004) === 0) {
              found!.push(path);
            }
          } catch {
            // Gone while we looked.
          }
        }
      }
    };
    walk('/etc', 2);
    found.sort();
    privateFiles.set(root, found);
  }
  return found;
}

/**
 * The folders a Python virtualenv needs, read-only at their own paths: the env itself and, when
 * it was made from an interpreter outside /usr (pyenv, uv), that interpreter's installation.
 */
export function pythonMounts(venv: string): string[] {
  const dirs = new Set<string>([resolve(venv)]);
  const cfg = join(venv, 'pyvenv.cfg');
  if (existsSync(cfg)) {
    const home = /^home\s*=\s*(.+)$/m.exec(readFileSync(cfg, 'utf8'))?.[1]?.trim();
    if (home && isAbsolute(home)) {
      dirs.add(dirname(home));
    }
  }
  try {
    dirs.add(dirname(dirname(realpathSync(join(venv, 'bin', 'python')))));
  } catch {
    // No interpreter link: the env alone.
  }
  return [...dirs]
    .filter(d => d !== '/' && d !== '/usr' && !d.startsWith('/usr/'))
    .flatMap(d => ['--ro-bind-try', d, d]);
}

function realpathOrSelf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** What one job's sandbox holds. */
export interface SandboxSpec {
  /** Host folders: the job's home, its group's volume and its group's PHFS. */
  home: string;
  volume: string;
  phfs: string;
  /** The group's name, as in `/project/<group>`. */
  group: string;
  /** The virtualenv jobs use, mounted read-only. */
  pythonEnv?: string;
  /** The folder holding the sandbox's passwd and group (see {@link writeAccounts}). */
  accounts?: string;
  /** Whether bwrap gets a seccomp filter on {@link SECCOMP_FD}. */
  seccomp?: boolean;
  /** A host file the job sees as `/dev/termination-log` (Kubernetes' termination message file). */
  terminationLog?: string;
}

/**
 * Writes the passwd and group files a sandbox shows (`jovyan`, uid 1000, group `users`, as a PrimeHub
 * pod's): the host's name uid 1000 differently or not at all. Returns the folder.
 */
export function writeAccounts(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, 'passwd'),
    [
      'root:x:0:0:root:/root:/bin/bash',
      `${POD_USER}:x:${POD_UID}:${POD_GID}:${POD_USER}:${POD_HOME}:/bin/bash`,
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      ''
    ].join('\n'),
    { mode: 0o644 }
  );
  writeFileSync(
    join(dir, 'group'),
    ['root:x:0:', `users:x:${POD_GID}:${POD_USER}`, 'nogroup:x:65534:', ''].join('\n'),
    {
      mode: 0o644
    }
  );
  return dir;
}

/**
 * bubblewrap arguments for one job, up to the command: a read-only system, a private /tmp, its own
 * user (jovyan, no capability, no_new_privs, the seccomp filter when given), PID and IPC namespaces (every process ends with the job, or when PrimeHub Local dies), and only
 * the job's home, its group's volume and PHFS, at a pod's paths. The network is the host's, so the
 * server's API stays reachable over loopback.
 *
 * The group volume and PHFS are also mounted at their host paths: a notebook server on this machine
 * (`npm start`'s JupyterLab) sees them there, and a job it submits may `cd` into them, as a notebook
 * pod's paths hold in a job pod on PrimeHub. Only this group's folders appear there.
 */
export function sandboxArgs(spec: SandboxSpec): string[] {
  const hostPaths = [spec.volume, spec.phfs].flatMap(dir => {
    const paths = new Set([resolve(dir), realpathOrSelf(dir)]);
    return [...paths].flatMap(p => ['--bind', dir, p]);
  });
  return [
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...(spec.terminationLog ? ['--bind', spec.terminationLog, TERMINATION_LOG] : []),
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/var/tmp',
    // After the private /tmp: a clone (and so its .venv) or a data directory may live under /tmp.
    ...(spec.pythonEnv ? pythonMounts(spec.pythonEnv) : []),
    '--bind',
    spec.home,
    POD_HOME,
    '--bind',
    spec.volume,
    podVolume(spec.group),
    '--bind',
    spec.phfs,
    POD_PHFS,
    ...hostPaths,
    ...(spec.accounts
      ? [
          '--ro-bind',
          join(spec.accounts, 'passwd'),
          '/etc/passwd',
          '--ro-bind',
          join(spec.accounts, 'group'),
          '/etc/group'
        ]
      : []),
    ...userArgs(),
    ...(spec.seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--unshare-pid',
    '--unshare-ipc',
    '--die-with-parent',
    '--new-session',
    '--chdir',
    POD_HOME,
    '--'
  ];
}
