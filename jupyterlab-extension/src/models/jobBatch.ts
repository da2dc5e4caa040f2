/**
 * What one notification says about jobs submitted together (one job, or a sweep's): pure, so
 * the wording is tested without JupyterLab.
 */
import type { Job } from '@primehub-suite/client/browser';

/** A followed job. */
export interface IBatchJob {
  job: Job;
  /** Server path of its output notebook, when this Lab can open it. */
  output: string | null;
  ended: boolean;
  /** Why it failed, in one line ('' until known or when it did not fail). */
  failure: string;
}

/** The notification of a batch. */
export interface IBatchSummary {
  message: string;
  type: 'in-progress' | 'success' | 'error' | 'warning';
  /** Whether every job has ended. */
  done: boolean;
  /** The first job that ended without success, if any. */
  failed?: IBatchJob;
}

function endedAs(j: IBatchJob): string {
  if (j.job.phase === 'Failed') {
    return `failed${j.failure ? `: ${j.failure}` : ''}`;
  }
  return j.job.phase === 'Cancelled' ? 'was cancelled' : `ended (${j.job.phase ?? 'unknown'})`;
}

/** One line for the jobs of a submission, as they stand. */
export function batchSummary(label: string, jobs: ReadonlyArray<IBatchJob>): IBatchSummary {
  const ended = jobs.filter(j => j.ended);
  const unsuccessful = ended.filter(j => j.job.phase !== 'Succeeded');
  const failed = unsuccessful[0];
  const done = ended.length === jobs.length;
  const type = !done ? 'in-progress' : failed ? (failed.job.phase === 'Failed' ? 'error' : 'warning') : 'success';
  if (jobs.length === 1) {
    const j = jobs[0];
    const name = j.job.displayName ?? j.job.id;
    const message = !done
      ? `Job "${name}" submitted`
      : failed
        ? `Job "${name}" ${endedAs(j)}`
        : `Job "${name}" succeeded`;
    return { message, type, done, failed };
  }
  const n = jobs.length;
  let message: string;
  if (ended.length === 0) {
    message = `Sweep "${label}": ${n} jobs submitted`;
  } else if (!done) {
    message = `Sweep "${label}": ${ended.length} of ${n} jobs ended${unsuccessful.length ? ` (${unsuccessful.length} without success)` : ''}`;
  } else if (!failed) {
    message = `Sweep "${label}": all ${n} jobs succeeded`;
  } else {
    const name = failed.job.displayName ?? failed.job.id;
    message = `Sweep "${label}": ${unsuccessful.length} of ${n} jobs did not succeed; "${name}" ${endedAs(failed)}`;
  }
  return { message, type, done, failed };
}
