/**
 * Submitting a notebook: snapshot it (server), then one job per planned parameter set (or one
 * recurring job) through the client, and let the server remove the snapshot when they end.
 */
import type { Job, NotebookParameter, RecurrenceSpec, Schedule } from '@primehub-suite/client/browser';
import type { SweepJob } from '@primehub-suite/client/notebook';
import { serverExtension } from './api';
import { withArtifactCopy } from './models/notebookJobs';
import type { IPrimeHub } from './tokens';

/** What the dialog hands over. */
export interface ISubmitRequest {
  /** Server path of the notebook. */
  path: string;
  instanceType: string;
  image: string;
  timeoutMinutes: number | null;
  jobs: SweepJob[];
  declared: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
  /** A recurring job instead of jobs now. */
  recurrence?: RecurrenceSpec;
}

/** A submitted job with where its output notebook will be (server path). */
export interface ISubmittedJob {
  job: Job;
  output: string;
}

export interface ISubmitResult {
  jobs: ISubmittedJob[];
  schedule?: Schedule;
}

function outputFor(base: string, name: string, single: boolean): string {
  return single ? base : `${base.replace(/\.ipynb$/, '')}-${name}.ipynb`;
}

export async function submitNotebook(hub: IPrimeHub, req: ISubmitRequest): Promise<ISubmitResult> {
  const snap = await serverExtension.snapshot({ path: req.path });
  const single = req.jobs.length === 1;
  const deadline = req.timeoutMinutes ? Math.round(req.timeoutMinutes * 60) : undefined;
  const planned = req.jobs.map(j => {
    const jobOutput = outputFor(snap.jobOutput, j.name, single);
    const line = hub.client.notebook.command({
      workdir: snap.jobWorkdir,
      input: snap.jobInput,
      output: jobOutput,
      parameters: j.parameters,
      declared: req.declared
    });
    return { name: j.name, output: outputFor(snap.output, j.name, single), command: withArtifactCopy(line, jobOutput) };
  });
  const submitted: ISubmittedJob[] = [];
  try {
    if (req.recurrence) {
      // A recurring job keeps its snapshot: each run needs it (removed when the recurring job is deleted).
      const schedule = await hub.client.schedules.create({
        displayName: planned[0].name,
        instanceType: req.instanceType,
        image: req.image,
        command: planned[0].command,
        recurrence: req.recurrence,
        activeDeadlineSeconds: deadline
      });
      return { jobs: [], schedule };
    }
    for (const p of planned) {
      const job = await hub.client.jobs.submit({
        displayName: p.name,
        instanceType: req.instanceType,
        image: req.image,
        command: p.command,
        activeDeadlineSeconds: deadline
      });
      submitted.push({ job, output: p.output });
    }
  } catch (err) {
    if (submitted.length === 0) {
      await serverExtension.removeSnapshot(snap.snapshot).catch(() => undefined);
    } else {
      await serverExtension
        .watchSnapshot(
          snap.snapshot,
          submitted.map(s => s.job.id)
        )
        .catch(() => undefined);
    }
    throw err;
  }
  await serverExtension.watchSnapshot(
    snap.snapshot,
    submitted.map(s => s.job.id)
  );
  return { jobs: submitted };
}
