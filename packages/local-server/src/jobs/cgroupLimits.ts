import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { readFile, mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable } from './jobSandbox';

/** The most processes (and threads) one job may hold at once. */
export const JOB_PIDS_MAX = 1024;

/** The cgroup v1 folders PrimeHub Local itself runs in, one per controller; jobs get theirs beneath. */
export interface V1Parents {
  memory: string;
  cpu: string;
  pids?: string;
}

/**
 * How the instance type's CPU, memory and process limits hold on jobs: a systemd scope on cgroup v2, a
 * cgroup of PrimeHub Local's own per job on cgroup v1 (root), else resource limits of the process
 * (`prlimit`: address space and process count only), else nothing. `reason` says why a stronger one
 * is not used.
 */
export type LimitsState =
  | { mechanism: 'cgroup-v2'; systemdRun: string; user: boolean }
  | { mechanism: 'cgroup-v1'; parents: V1Parents }
  | { mechanism: 'rlimit'; prlimit: string; reason: string }
  | { mechanism: 'none'; reason: string };

/** Where to look, for tests: a cgroup mount root, `/proc/self/cgroup`'s text, the tools. */
export interface LimitsProbe {
  cgroupRoot?: string;
  selfCgroup?: string;
  uid?: number;
  systemdRun?: string | null;
  prlimit?: string | null;
  platform?: NodeJS.Platform;
}

/** Picks the strongest mechanism this machine allows (see {@link LimitsState}). */
export function detectLimits(probe: LimitsProbe = {}): LimitsState {
  const {
    cgroupRoot = '/sys/fs/cgroup',
    uid = process.getuid?.() ?? -1,
    systemdRun = findExecutable('systemd-run') ?? null,
    prlimit = findExecutable('prlimit') ?? null,
    platform = process.platform
  } = probe;
  if (platform !== 'linux') {
    return { mechanism: 'none', reason: `CPU and memory limits need Linux; this is ${platform}` };
  }
  const v2 = detectV2(cgroupRoot, uid, systemdRun);
  if ('mechanism' in v2) {
    return v2;
  }
  const v1 = detectV1(cgroupRoot, uid, probe.selfCgroup);
  if ('mechanism' in v1) {
    return v1;
  }
  const reason = `${v2.reason}; ${v1.reason}`;
  return prlimit
    ? { mechanism: 'rlimit', prlimit, reason: `${reason}: only address space and process count are limited` }
    : { mechanism: 'none', reason: `${reason}, and prlimit (util-linux) is not installed` };
}

function detectV2(root: string, uid: number, systemdRun: string | null): LimitsState | { reason: string } {
  let controllers: string[];
  try {
    controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  } catch {
    return { reason: 'cgroup v2 is not the cgroup hierarchy here' };
  }
  const missing = ['memory', 'cpu'].filter(c => !controllers.includes(c));
  if (missing.length > 0) {
    return { reason: `cgroup v2 lacks the ${missing.join(' and ')} controller` };
  }
  if (!systemdRun) {
    return { reason: 'systemd-run is not installed' };
  }
  const user = uid !== 0;
  const trial = spawnSync(systemdRun, [...scopeArgs(user, 1, 0.25), 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (trial.status !== 0) {
    const why = (trial.stderr || trial.error?.message || `exit ${trial.status}`).trim().split('\n')[0];
    return { reason: `cgroup v2 is not delegated to PrimeHub Local (systemd-run: ${why})` };
  }
  return { mechanism: 'cgroup-v2', systemdRun, user };
}

function detectV1(root: string, uid: number, selfCgroup?: string): LimitsState | { reason: string } {
  if (uid !== 0) {
    return { reason: 'cgroup v1 controllers are writable only by root' };
  }
  let text = selfCgroup;
  try {
    text ??= readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return { reason: 'no /proc/self/cgroup' };
  }
  const parents: Partial<V1Parents> = {};
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    for (const c of (controllers ?? '').split(',')) {
      if (c === 'memory' || c === 'cpu' || c === 'pids') {
        // The mount of each controller is named after it (`cpu` is a link to `cpu,cpuacct` where they share one).
        parents[c] = join(root, c, ...path.split('/').filter(Boolean));
      }
    }
  }
  if (!parents.memory || !parents.cpu) {
    return { reason: 'cgroup v1 has no memory and cpu controllers here' };
  }
  // A trial cgroup proves the controllers are writable (read-only in many containers).
  for (const dir of Object.values(parents)) {
    const trial = join(dir, `primehub-local-trial-${process.pid}`);
    try {
      mkdirSync(trial);
      rmdirSync(trial);
    } catch (err) {
      return { reason: `cgroup v1 controller ${dir} is not writable (${(err as NodeJS.ErrnoException).code})` };
    }
  }
  return { mechanism: 'cgroup-v1', parents: parents as V1Parents };
}

/** systemd-run arguments, up to the command, for a scope holding `cpu` CPUs, `memoryGb` GB and {@link JOB_PIDS_MAX} tasks. */
export function scopeArgs(user: boolean, cpu: number, memoryGb: number): string[] {
  return [
    ...(user ? ['--user'] : []),
    '--scope',
    '--quiet',
    '--collect',
    '-p',
    `MemoryMax=${memoryBytes(memoryGb)}`,
    '-p',
    `CPUQuota=${Math.max(1, Math.round(cpu * 100))}%`,
    '-p',
    `TasksMax=${JOB_PIDS_MAX}`,
    '--'
  ];
}

function memoryBytes(memoryGb: number): number {
  return Math.max(1, Math.round(memoryGb * 1024 ** 3));
}

/** One job's cgroup v1 folders, one per controller. */
export function jobCgroups(parents: V1Parents, jobId: string): string[] {
  return Object.values(parents).map(dir => join(dir, `primehub-local-${jobId}`));
}

/**
 * Joins each cgroup.procs named before `--`, then execs the rest. The process joins before it execs
 * bwrap, so every process of the job is born inside the cgroups: nothing can fork before the move, as
 * it could if the server wrote the pid of a process already running. The script is constant; the
 * paths and the command are its arguments.
 */
const JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** What goes before the job's command to hold it to its limits. */
export function limitArgs(state: LimitsState, jobId: string, cpu: number, memoryGb: number): string[] {
  switch (state.mechanism) {
    case 'cgroup-v2':
      return [state.systemdRun, ...scopeArgs(state.user, cpu, memoryGb)];
    case 'cgroup-v1':
      return [
        '/bin/sh',
        '-c',
        JOIN_CGROUPS,
        'sh',
        ...jobCgroups(state.parents, jobId).map(d => join(d, 'cgroup.procs')),
        '--'
      ];
    case 'rlimit':
      return [state.prlimit, `--as=${memoryBytes(memoryGb)}`, `--nproc=${JOB_PIDS_MAX}`, '--'];
    case 'none':
      return [];
  }
}

/** Makes a job's cgroup v1 folders with its memory (RAM and swap), CPU quota and process limits. */
export async function createJobCgroups(
  state: LimitsState,
  jobId: string,
  cpu: number,
  memoryGb: number
): Promise<void> {
  if (state.mechanism !== 'cgroup-v1') {
    return;
  }
  const { memory, cpu: cpuDir, pids } = state.parents;
  const name = `primehub-local-${jobId}`;
  for (const dir of jobCgroups(state.parents, jobId)) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') {
        throw err;
      }
    });
  }
  const bytes = String(memoryBytes(memoryGb));
  await writeFile(join(memory, name, 'memory.limit_in_bytes'), bytes);
  // RAM plus swap, where swap accounting is on: without it a job would swap past its limit.
  await writeFile(join(memory, name, 'memory.memsw.limit_in_bytes'), bytes).catch(() => undefined);
  await writeFile(join(cpuDir, name, 'cpu.cfs_period_us'), '100000');
  await writeFile(join(cpuDir, name, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(cpu * 100000))));
  if (pids) {
    await writeFile(join(pids, name, 'pids.max'), String(JOB_PIDS_MAX));
  }
}

/**
 * Whether the kernel's OOM killer killed a process of the job's cgroup v1 (`oom_kill` in
 * memory.oom_control; on kernels without that counter, a hit memory limit and a KILL signal).
 */
export async function oomKilled(state: LimitsState, jobId: string, killed: boolean): Promise<boolean> {
  if (state.mechanism !== 'cgroup-v1') {
    return false;
  }
  const dir = join(state.parents.memory, `primehub-local-${jobId}`);
  const control = await readFile(join(dir, 'memory.oom_control'), 'utf8').catch(() => '');
  const count = /^oom_kill (\d+)$/m.exec(control)?.[1];
  if (count !== undefined) {
    return Number(count) > 0;
  }
  const failcnt = Number(await readFile(join(dir, 'memory.failcnt'), 'utf8').catch(() => '0'));
  return killed && failcnt > 0;
}

/**
 * Removes a job's cgroup v1 folders. The kernel refuses while a process is still in one (the PID
 * namespace's last processes are reaped just after bwrap exits), so this tries again while they leave.
 */
export async function removeJobCgroups(state: LimitsState, jobId: string, tries = 50): Promise<void> {
  if (state.mechanism !== 'cgroup-v1') {
    return;
  }
  for (const dir of jobCgroups(state.parents, jobId)) {
    for (let i = 0; ; i++) {
      try {
        await rmdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || i >= tries) {
          break;
        }
        await new Promise(r => setTimeout(r, 20));
      }
    }
  }
}
