import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataDir } from '../DataDir';
import type { IdentityStore } from '../db/IdentityStore';
import { TERMINAL_PHASES, type JobPhase, type JobRow, type JobStore } from '../db/JobStore';
import type { Logger } from '../logger';
import { publishArtifacts, type ArtifactLimits } from './artifacts';

export interface RunnerOptions {
  /** CPUs and memory (GB) jobs may hold at once: the machine's slots. */
  cpus: number;
  memoryGb: number;
  artifactLimits: ArtifactLimits;
  /** Deadline for jobs submitted without one (PrimeHub's controller default: 24 h). */
  defaultDeadlineSeconds: number;
  /** Time between SIGTERM and SIGKILL when a job is cancelled, timed out or stopped. */
  killGraceMs: number;
  /** The virtualenv's bin folder, put first on every job's PATH. */
  pythonBin?: string;
}

interface Running {
  job: JobRow;
  child?: ChildProcess;
  cpu: number;
  memory: number;
  deadline?: NodeJS.Timeout;
  /** Why the process is being stopped, when the runner stopped it. */
  stopping?: 'cancel' | 'deadline' | 'shutdown';
  /** Set once the exit is being handled, so a spawn error followed by an exit counts once. */
  ended?: boolean;
  exited: Promise<void>;
  resolveExit: () => void;
}

const EXIT_MESSAGES: Record<string, [JobPhase, string, string]> = {
  deadline: ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
  shutdown: ['Failed', 'ServerShutdown', 'PrimeHub Local stopped while the job was running; the job was stopped']
};

/**
 * Runs jobs as real processes, the way PrimeHub's job controller runs pods: FIFO per group,
 * within the machine's CPU/memory slots and the group and user quotas; each job in its own
 * process group (`bash -lc <command>`) with a private home, its log written straight to a file.
 *
 * Events: `log` (jobId) when the runner appends to a log, `closed` (jobId) once a job is final and
 * its log complete.
 */
export class JobRunner extends EventEmitter {
  private readonly running = new Map<string, Running>();
  private kickPending = false;
  private stopped = false;

  constructor(
    private readonly dirs: DataDir,
    private readonly jobs: JobStore,
    private readonly identity: IdentityStore,
    private readonly opts: RunnerOptions,
    private readonly log: Logger
  ) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Start-up recovery after a restart or crash. Jobs that were being prepared or running are
   * stopped (their orphaned process group is killed) and marked Failed with a clear message,
   * unless their command had already exited; their logs and artifacts are kept, and artifacts
   * that were not yet copied are copied now, once.
   */
  async recover(): Promise<void> {
    for (const job of this.jobs.inPhases(['Preparing', 'Running'])) {
      if (job.exit_code !== null) {
        await this.finalize(job, ...exitOutcome(job.exit_code, null));
        continue;
      }
      if (job.pid && (await isJobProcess(job.pid, job.id))) {
        killGroup(job.pid, 'SIGKILL');
      }
      const message = 'PrimeHub Local restarted while the job was running; the job was stopped';
      await this.note(job.id, message);
      await this.finalize(job, 'Failed', 'ServerRestarted', message);
    }
    for (const job of this.jobs.unpublished()) {
      await this.finalize(job, job.phase, job.reason, job.message);
    }
    this.kick();
  }

  /** Looks at the queue soon; cheap to call often. */
  kick(): void {
    if (this.kickPending || this.stopped) {
      return;
    }
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.schedule();
    });
  }

  /** Cancels a job: Cancelled at once (as PrimeHub's `spec.cancel`), its process group killed. */
  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || TERMINAL_PHASES.includes(job.phase)) {
      return;
    }
    const now = new Date().toISOString();
    this.jobs.update(id, {
      cancel: 1,
      phase: 'Cancelled',
      reason: 'Cancelled',
      message: 'Job cancelled',
      finish_time: now
    });
    const run = this.running.get(id);
    if (run) {
      this.stopProcess(run, 'cancel');
    } else {
      this.jobs.update(id, { artifacts: 'done' });
      this.emit('closed', id);
    }
  }

  /** Stops every running job (marked Failed, artifacts copied) and accepts no more work. */
  async stop(): Promise<void> {
    this.stopped = true;
    const runs = [...this.running.values()];
    for (const run of runs) {
      this.stopProcess(run, 'shutdown');
    }
    await Promise.all(runs.map(r => r.exited));
  }

  /** Whether a job's log is complete: the job is final and nothing more will be written. */
  isClosed(id: string): boolean {
    const job = this.jobs.get(id);
    return !job || (TERMINAL_PHASES.includes(job.phase) && job.artifacts === 'done' && !this.running.has(id));
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    let freeCpu = this.opts.cpus;
    let freeMemory = this.opts.memoryGb;
    for (const r of this.running.values()) {
      freeCpu -= r.cpu;
      freeMemory -= r.memory;
    }
    const blocked = new Set<string>();
    for (const job of this.jobs.inPhases(['Pending'])) {
      const it = this.identity.instanceType(job.instance_type);
      const group = this.identity.groupById(job.group_id);
      if (!it || !group) {
        this.setWaiting(job, `instance type ${job.instance_type} or group no longer exists`);
        continue;
      }
      // Never schedulable here: leave it Pending and let the rest of its group run.
      if (it.gpu_limit > 0) {
        this.setWaiting(
          job,
          `instance type ${it.name} needs ${it.gpu_limit} GPU; PrimeHub Local has no GPU, so this job cannot be scheduled`
        );
        continue;
      }
      if (it.cpu_limit > this.opts.cpus || it.memory_limit > this.opts.memoryGb) {
        this.setWaiting(job, `instance type ${it.name} needs more CPU or memory than this machine offers`);
        continue;
      }
      // FIFO per group: behind a job that waits, the group's later jobs wait too (checked after the
      // never-schedulable cases above, so those always say why).
      if (blocked.has(job.group_id)) {
        continue;
      }
      const wait = this.quotaWait(job, it.cpu_limit, it.memory_limit);
      if (wait) {
        this.setWaiting(job, wait);
        blocked.add(job.group_id);
        continue;
      }
      if (it.cpu_limit > freeCpu + 1e-9 || it.memory_limit > freeMemory + 1e-9) {
        this.setWaiting(job, 'Waiting for a free slot: all CPUs of this machine are in use');
        blocked.add(job.group_id);
        continue;
      }
      freeCpu -= it.cpu_limit;
      freeMemory -= it.memory_limit;
      this.start(job, it.cpu_limit, it.memory_limit);
    }
  }

  /** Why a job must wait for its group's or user's quota, or undefined if it fits. */
  private quotaWait(job: JobRow, cpu: number, memory: number): string | undefined {
    const group = this.identity.groupById(job.group_id)!;
    const groupUse = this.jobs.usage(job.group_id);
    const userUse = this.jobs.usage(job.group_id, job.user_id);
    if (group.project_quota_cpu !== null && groupUse.cpu + cpu > group.project_quota_cpu + 1e-9) {
      return 'Waiting for group quota: the group CPU quota is in use by other jobs';
    }
    if (group.project_quota_memory !== null && groupUse.memory + memory > group.project_quota_memory + 1e-9) {
      return 'Waiting for group quota: the group memory quota is in use by other jobs';
    }
    if (group.quota_cpu !== null && userUse.cpu + cpu > group.quota_cpu + 1e-9) {
      return 'Waiting for user quota: your CPU quota in this group is in use by your other jobs';
    }
    if (group.quota_memory !== null && userUse.memory + memory > group.quota_memory + 1e-9) {
      return 'Waiting for user quota: your memory quota in this group is in use by your other jobs';
    }
    return undefined;
  }

  private setWaiting(job: JobRow, message: string): void {
    if (job.message !== message) {
      this.jobs.update(job.id, { reason: 'Unschedulable', message });
    }
  }

  private start(queued: JobRow, cpu: number, memory: number): void {
    let resolveExit!: () => void;
    const exited = new Promise<void>(r => (resolveExit = r));
    const run: Running = { job: queued, cpu, memory, exited, resolveExit };
    this.running.set(queued.id, run);
    void exited.then(() => this.kick());
    run.job = this.jobs.update(queued.id, { phase: 'Preparing', reason: null, message: 'Preparing the job' });
    this.launch(run).catch(async (err: Error) => {
      this.log.error(`job ${queued.id} could not start: ${err.message}`);
      await this.note(queued.id, `PrimeHub Local could not start the job: ${err.message}`);
      await this.exited(run, null, null, ['Failed', 'StartError', `The job could not start: ${err.message}`]);
    });
  }

  private async launch(run: Running): Promise<void> {
    const job = run.job;
    const group = this.identity.groupById(job.group_id)!;
    const home = this.dirs.jobHome(job.id);
    const phfs = this.dirs.groupPhfs(group.name);
    const volume = this.dirs.groupVolume(group.name);
    await Promise.all([
      mkdir(join(home, 'artifacts'), { recursive: true }),
      mkdir(phfs, { recursive: true }),
      mkdir(volume, { recursive: true })
    ]);
    await symlink(phfs, join(home, 'phfs')).catch(ignoreExists);
    await symlink(volume, join(home, group.name)).catch(ignoreExists);
    // bash -l reads /etc/profile, which resets PATH: the profile puts the virtualenv back first
    // and, as on PrimeHub, sources the group's profile from the group volume.
    const profile = [
      this.opts.pythonBin ? `export PATH=${shellQuote(this.opts.pythonBin)}:"$PATH"` : '',
      'if [ -f "$PRIMEHUB_GROUP_VOLUME_PATH/.primehub/profile" ]; then . "$PRIMEHUB_GROUP_VOLUME_PATH/.primehub/profile"; fi',
      ''
    ].join('\n');
    await writeFile(join(home, '.bash_profile'), profile);
    if (run.stopping) {
      throw new Error('stopped before start');
    }
    const env: Record<string, string> = {
      PATH: [this.opts.pythonBin, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].filter(Boolean).join(':'),
      HOME: home,
      USER: job.user_name,
      LANG: process.env.LANG ?? 'C.UTF-8',
      TZ: process.env.TZ ?? '',
      PYTHONUNBUFFERED: '1',
      PRIMEHUB_USER: job.user_name,
      PRIMEHUB_GROUP: group.name,
      PRIMEHUB_GROUP_VOLUME_PATH: volume,
      PRIMEHUB_PHFS_PATH: join(home, 'phfs'),
      PHJOB_NAME: job.id
    };
    const fd = openSync(this.dirs.jobLog(job.id), 'a');
    let child: ChildProcess;
    try {
      child = spawn('bash', ['-lc', job.command], { cwd: home, env, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    run.child = child;
    // Followers waiting for the log file to appear can attach now.
    this.emit('log', job.id);
    child.once(
      'error',
      err => void this.exited(run, null, null, ['Failed', 'StartError', `The job could not start: ${err.message}`])
    );
    child.once('exit', (code, signal) => void this.exited(run, code, signal));
    if (child.pid === undefined) {
      return;
    }
    run.job = this.jobs.update(job.id, {
      phase: 'Running',
      message: null,
      start_time: new Date().toISOString(),
      pid: child.pid
    });
    // The job's own timeout, else its group's default, else the controller's 24 h.
    const deadlineMs =
      (job.active_deadline_seconds ?? group.job_default_active_deadline_seconds ?? this.opts.defaultDeadlineSeconds) *
      1000;
    run.deadline = setTimeout(() => this.stopProcess(run, 'deadline'), deadlineMs);
    if (run.stopping) {
      this.stopProcess(run, run.stopping);
    }
  }

  private stopProcess(run: Running, why: NonNullable<Running['stopping']>): void {
    run.stopping ??= why;
    const pid = run.child?.pid;
    if (pid === undefined || run.child?.exitCode !== null || run.child?.signalCode !== null) {
      return;
    }
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.opts.killGraceMs);
    run.child.once('exit', () => clearTimeout(timer));
  }

  /** The command exited (or never started): record it, copy artifacts, then set the final phase. */
  private async exited(
    run: Running,
    code: number | null,
    signal: NodeJS.Signals | null,
    outcome?: [JobPhase, string, string]
  ): Promise<void> {
    if (run.ended) {
      return;
    }
    run.ended = true;
    clearTimeout(run.deadline);
    // Kill whatever the command left behind in its process group.
    if (run.child?.pid !== undefined) {
      killGroup(run.child.pid, 'SIGKILL');
    }
    const exitCode = code ?? (signal ? 128 : 1);
    this.jobs.update(run.job.id, { exit_code: exitCode });
    let final = outcome ?? (run.stopping && EXIT_MESSAGES[run.stopping]) ?? exitOutcome(code, signal);
    if (run.stopping === 'cancel') {
      const job = this.jobs.get(run.job.id)!;
      final = [job.phase, job.reason ?? 'Cancelled', job.message ?? 'Job cancelled'];
    }
    if (run.stopping === 'deadline' || run.stopping === 'shutdown') {
      await this.note(run.job.id, final[2]);
    }
    try {
      await this.finalize(this.jobs.get(run.job.id)!, ...final);
    } finally {
      this.running.delete(run.job.id);
      run.resolveExit();
      this.emit('closed', run.job.id);
    }
  }

  /** Copies artifacts (once), then records the final phase; the job's home is removed afterwards. */
  private async finalize(job: JobRow, phase: JobPhase, reason: string | null, message: string | null): Promise<void> {
    if (job.artifacts !== 'done') {
      this.jobs.update(job.id, { artifacts: 'copying' });
      let line: string;
      try {
        line = await publishArtifacts(
          join(this.dirs.jobHome(job.id), 'artifacts'),
          join(this.dirs.groupPhfs(job.group_name), 'jobArtifacts', job.id),
          join(this.dirs.staging, `artifacts-${job.id}`),
          this.opts.artifactLimits
        );
      } catch (err) {
        line = `Artifacts: upload failed: ${(err as Error).message}`;
      }
      await this.note(job.id, line);
    }
    this.jobs.update(job.id, {
      phase,
      reason,
      message,
      finish_time: job.finish_time ?? new Date().toISOString(),
      artifacts: 'done'
    });
    await rm(this.dirs.jobHome(job.id), { recursive: true, force: true });
  }

  /** Appends a line of PrimeHub Local's own to a job's log. */
  private async note(id: string, line: string): Promise<void> {
    await appendFile(this.dirs.jobLog(id), `${line}\n`).catch(() => undefined);
    this.emit('log', id);
  }
}

function exitOutcome(code: number | null, signal: NodeJS.Signals | null): [JobPhase, string, string] {
  if (code === 0) {
    return ['Succeeded', 'PodSucceeded', 'Job completed'];
  }
  return [
    'Failed',
    'PodFailed',
    signal ? `Job failed: the command was killed by ${signal}` : `Job failed: the command exited with code ${code}`
  ];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Whether `pid` is still this job's process (not a reused pid), from its environment. */
async function isJobProcess(pid: number, jobId: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  return environ.split('\0').includes(`PHJOB_NAME=${jobId}`);
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
