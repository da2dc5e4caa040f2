import { readFile } from 'node:fs/promises';
import type { JobPhase, JobRow, JobStore } from '../db/JobStore';
import { exitOutcome, RESTART_MESSAGE } from './jobOutcome';

/** What start-up recovery asks of the runner. */
export interface RecoverySteps {
  /** Copies a job's artifacts (once) and records its final phase. */
  finalize(job: JobRow, phase: JobPhase, reason: string | null, message: string | null): Promise<void>;
  /** Appends a line of PrimeHub Local's own to a job's log. */
  note(id: string, line: string): Promise<void>;
}

/**
 * Start-up recovery after a restart or crash. Jobs that were being prepared or running are
 * stopped (whatever is left of their process group is killed; in the sandbox nothing is, as its
 * PID namespace died with the server) and marked Failed with a clear message, unless their command
 * had already exited; their logs and artifacts are kept, and artifacts that were not yet copied
 * are copied now, once.
 */
export async function recoverJobs(jobs: JobStore, steps: RecoverySteps): Promise<void> {
  for (const job of jobs.inPhases(['Preparing', 'Running'])) {
    if (job.exit_code !== null) {
      await steps.finalize(job, ...exitOutcome(job.exit_code, null));
      continue;
    }
    if (job.pid && (await isJobProcess(job.pid, job.id))) {
      try {
        process.kill(-job.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await steps.note(job.id, RESTART_MESSAGE);
    await steps.finalize(job, 'Failed', 'ServerRestarted', RESTART_MESSAGE);
  }
  for (const job of jobs.unpublished()) {
    await steps.finalize(job, job.phase, job.reason, job.message);
  }
}

/** Whether `pid` is still this job's process (not a reused pid), from its environment. */
export async function isJobProcess(pid: number, jobId: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  return environ.split('\0').includes(`PHJOB_NAME=${jobId}`);
}
