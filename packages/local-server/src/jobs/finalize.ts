import { join } from 'node:path';
import type { DataDir } from '../DataDir';
import { Dir } from '../fs/beneath';
import type { JobPhase, JobRow, JobStore } from '../db/JobStore';
import { publishArtifacts, type ArtifactLimits } from './artifacts';

/** What finishing a job needs. */
export interface FinalizeDeps {
  dirs: DataDir;
  jobs: JobStore;
  artifactLimits: ArtifactLimits;
  /** Appends a line of PrimeHub Local's own to the job's log. */
  note(id: string, line: string): Promise<void>;
}

/**
 * Finishes a job whose command has ended: copies its `artifacts/` to PHFS `jobArtifacts/<id>/` once
 * (the state survives restarts, so a crash in between copies them on the next start), notes the
 * outcome in its log, records the final phase, then removes its home.
 */
export async function finalizeJob(
  deps: FinalizeDeps,
  job: JobRow,
  phase: JobPhase,
  reason: string | null,
  message: string | null
): Promise<void> {
  const { dirs, jobs } = deps;
  if (job.artifacts !== 'done') {
    jobs.update(job.id, { artifacts: 'copying' });
    let line: string;
    try {
      line = await publishArtifacts(
        { root: dirs.jobDir(job.id), path: ['home', 'artifacts'] },
        { root: dirs.groupPhfs(job.group_name), path: ['jobArtifacts', job.id] },
        join(dirs.staging, `artifacts-${job.id}`),
        deps.artifactLimits
      );
    } catch (err) {
      line = `Artifacts: upload failed: ${(err as Error).message}`;
    }
    await deps.note(job.id, line);
  }
  jobs.update(job.id, {
    phase,
    reason,
    message,
    finish_time: job.finish_time ?? new Date().toISOString(),
    artifacts: 'done'
  });
  await removeHome(dirs, job.id);
}

/** Removes a job's home, which the job controlled: links in it are removed, never followed (see {@link Dir}). */
async function removeHome(dirs: DataDir, jobId: string): Promise<void> {
  const jobDir = await Dir.open(dirs.jobDir(jobId)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      return undefined;
    }
    throw err;
  });
  if (jobDir) {
    await Dir.using(jobDir, d => d.removeTree('home'));
  }
}
