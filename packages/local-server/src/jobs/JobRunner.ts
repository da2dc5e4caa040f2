import { EventEmitter } from 'node:events';
import type { DataDir } from '../DataDir';
import type { GroupRow, IdentityStore } from '../db/IdentityStore';
import { TERMINAL_PHASES, type JobPhase, type JobRow, type JobStore } from '../db/JobStore';
import type { Logger } from '../logger';
import type { ArtifactLimits } from './artifacts';
import { oomKilled, removeJobCgroups, type LimitsState } from './cgroupLimits';
import { deadlineSeconds, setLongTimeout, type LongTimer } from './deadlines';
import {
  DEADLINE_OUTCOME,
  exitOutcome,
  OOM_OUTCOME,
  readTerminationMessage,
  SHUTDOWN_OUTCOME,
  startErrorOutcome,
  type Outcome,
  type StopReason
} from './jobOutcome';
import { finalizeJob } from './finalize';
import { appendLogLine } from './jobLog';
import { JobProcess } from './JobProcess';
import { JobQueue } from './JobQueue';
import type { JobIsolation } from './jobProbe';
import type { SandboxState } from './jobSandbox';
import { recoverJobs } from './recovery';

export interface RunnerOptions {
  /** CPUs and memory (GB) jobs may hold at once: the machine's slots. */
  cpus: number;
  memoryGb: number;
  artifactLimits: ArtifactLimits;
  /** Deadline for jobs submitted without one (PrimeHub's controller default: 24 h). */
  defaultDeadlineSeconds: number;
  /** Time between SIGTERM and SIGKILL when a job is cancelled, timed out or stopped. */
  killGraceMs: number;
  /** The virtualenv put first on every job's PATH (and mounted read-only in the sandbox). */
  pythonEnv?: string;
  /** Whether jobs run in a bubblewrap sandbox, and whether cgroups enforce their limits. */
  sandbox: SandboxState;
  limits: LimitsState;
  /** What a probe job observed of the sandbox and limits (`/api/health`'s `jobs`). */
  isolation: JobIsolation;
  /** Variables a group's jobs get besides PrimeHub's own (its MLflow's `MLFLOW_TRACKING_URI` and envs). */
  environment?: (group: GroupRow) => Record<string, string>;
}

interface Running {
  job: JobRow;
  process?: JobProcess;
  cpu: number;
  memory: number;
  deadline?: LongTimer;
  /** Why the process is being stopped, when the runner stopped it. */
  stopping?: StopReason;
  /** Set once the exit is being handled, so a spawn error followed by an exit counts once. */
  ended?: boolean;
  exited: Promise<void>;
  resolveExit: () => void;
}

/**
 * Runs jobs as real processes, the way PrimeHub's job controller runs pods: taken from the
 * {@link JobQueue}, each started as a {@link JobProcess} (in its sandbox where there is one), held
 * to its deadline, its artifacts published when it ends.
 *
 * Events: `log` (jobId) when the runner appends to a log, `closed` (jobId) once a job is final and
 * its log complete.
 */
export class JobRunner extends EventEmitter {
  private readonly running = new Map<string, Running>();
  private readonly queue: JobQueue;
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
    this.queue = new JobQueue(jobs, identity, { cpu: opts.cpus, memory: opts.memoryGb });
  }

  /** How jobs are isolated here, as a probe job observed it. */
  get isolation(): JobIsolation {
    return this.opts.isolation;
  }

  /**
   * Start-up recovery after a restart or crash (see {@link recoverJobs}) and removal of the cgroups
   * the interrupted jobs left, then the queue is looked at.
   */
  async recover(): Promise<void> {
    const interrupted = this.jobs.inPhases(['Preparing', 'Running']).map(j => j.id);
    await recoverJobs(this.jobs, {
      finalize: (job, ...outcome) => this.finalize(job, ...outcome),
      note: (id, line) => this.note(id, line)
    });
    for (const id of interrupted) {
      await removeJobCgroups(this.opts.limits, id);
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
      if (!this.stopped) {
        for (const { job, cpu, memory } of this.queue.admit(this.running.values())) {
          this.start(job, cpu, memory);
        }
      }
    });
  }

  /** Cancels a job: Cancelled at once (as PrimeHub's `spec.cancel`), its processes stopped. */
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
      await this.exited(run, null, null, startErrorOutcome(err.message));
    });
  }

  private async launch(run: Running): Promise<void> {
    const job = run.job;
    const group = this.identity.groupById(job.group_id)!;
    const launch = {
      jobId: job.id,
      command: job.command,
      user: job.user_name,
      group: group.name,
      cpu: run.cpu,
      memoryGb: run.memory,
      home: this.dirs.jobHome(job.id),
      volume: this.dirs.groupVolume(group.name),
      phfs: this.dirs.groupPhfs(group.name),
      log: this.dirs.jobLog(job.id),
      terminationLog: this.dirs.jobTerminationLog(job.id),
      pythonEnv: this.opts.pythonEnv,
      sandbox: this.opts.sandbox,
      limits: this.opts.limits,
      env: this.opts.environment?.(group) ?? {}
    };
    await JobProcess.prepare(launch);
    if (run.stopping) {
      throw new Error('stopped before start');
    }
    const proc = (run.process = JobProcess.start(launch));
    // Followers waiting for the log file to appear can attach now.
    this.emit('log', job.id);
    proc.once('error', (err: Error) => void this.exited(run, null, null, startErrorOutcome(err.message)));
    proc.once('exit', (code: number | null, signal: NodeJS.Signals | null) => void this.exited(run, code, signal));
    if (proc.pid === undefined) {
      return;
    }
    run.job = this.jobs.update(job.id, {
      phase: 'Running',
      message: null,
      start_time: new Date().toISOString(),
      pid: proc.pid
    });
    const seconds = deadlineSeconds(
      job.active_deadline_seconds,
      group.job_default_active_deadline_seconds,
      this.opts.defaultDeadlineSeconds
    );
    run.deadline = setLongTimeout(() => this.stopProcess(run, 'deadline'), seconds * 1000);
    if (run.stopping) {
      this.stopProcess(run, run.stopping);
    }
  }

  private stopProcess(run: Running, why: StopReason): void {
    run.stopping ??= why;
    run.process?.terminate(this.opts.killGraceMs);
  }

  /** The command exited (or never started): record it, copy artifacts, then set the final phase. */
  private async exited(
    run: Running,
    code: number | null,
    signal: NodeJS.Signals | null,
    outcome?: Outcome
  ): Promise<void> {
    if (run.ended) {
      return;
    }
    run.ended = true;
    run.deadline?.clear();
    // Kill whatever the command left behind.
    run.process?.kill();
    const exitCode = code ?? (signal ? 128 : 1);
    this.jobs.update(run.job.id, { exit_code: exitCode });
    // The kernel's OOM killer ends one process of the job (python, say) and bash exits 137: only the
    // job's cgroup tells an out-of-memory kill from any other.
    const oom = await oomKilled(this.opts.limits, run.job.id, signal === 'SIGKILL' || code === 137);
    await removeJobCgroups(this.opts.limits, run.job.id);
    let final =
      outcome ??
      this.stoppedOutcome(run.stopping) ??
      (oom ? OOM_OUTCOME : exitOutcome(code, signal, readTerminationMessage(this.dirs.jobTerminationLog(run.job.id))));
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

  private stoppedOutcome(why: StopReason | undefined): Outcome | undefined {
    return why === 'deadline' ? DEADLINE_OUTCOME : why === 'shutdown' ? SHUTDOWN_OUTCOME : undefined;
  }

  private finalize(job: JobRow, phase: JobPhase, reason: string | null, message: string | null): Promise<void> {
    return finalizeJob(
      { dirs: this.dirs, jobs: this.jobs, artifactLimits: this.opts.artifactLimits, note: (id, l) => this.note(id, l) },
      job,
      phase,
      reason,
      message
    );
  }

  /** Appends a line of PrimeHub Local's own to a job's log. */
  private async note(id: string, line: string): Promise<void> {
    await appendLogLine(this.dirs.jobLog(id), line).catch(() => undefined);
    this.emit('log', id);
  }
}
