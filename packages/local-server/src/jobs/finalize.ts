import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataDir } from '../DataDir';
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
        join(dirs.jobHome(job.id), 'artifacts'),
        join(dirs.groupPhfs(job.group_name), 'jobArtifacts', job.id),
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
  await rm(dirs.jobHome(job.id), { recursive: true, force: true });
}
