/**
 * Submitting a notebook: snapshot it beside itself (server), then run the snapshot through the
 * client's notebook runs (one job, a sweep, or a recurring job), and let the server remove the
 * snapshot when the jobs end.
 */
import {
  PartialSubmissionError,
  type NotebookRun,
  type RecurrenceSpec,
  type Schedule
} from '@primehub-suite/client/browser';
import { serverExtension } from './api';
import { serverPathOf, volumePathOf } from './models/notebookJobs';
import type { IPrimeHub, ISubmittedJob } from './tokens';
import type { JsonValue, NotebookParameter } from '@primehub-suite/client/notebook';

/** What the dialog hands over. */
export interface ISubmitRequest {
  /** Server path of the notebook. */
  path: string;
  /** The group the jobs run in (default: the client's current group). */
  group?: string;
  instanceType: string;
  image: string;
  timeoutMinutes: number | null;
  /** Job name (of each sweep job: the name followed by its values). */
  name: string;
  /** Values of the parameters (the fixed ones, in a sweep). */
  parameters: Record<string, JsonValue>;
  /** Several values per parameter: one job per combination. */
  sweep?: Record<string, JsonValue[]>;
  declared: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
  /** A recurring job instead of jobs now. */
  recurrence?: RecurrenceSpec;
}

export type { ISubmittedJob };

export interface ISubmitResult {
  jobs: ISubmittedJob[];
  schedule?: Schedule;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Submits the notebook. When a sweep stops part-way, the PartialSubmissionError thrown carries the
 * jobs that exist (`submitted`, as ISubmittedJob), so none is left unknown.
 */
export async function submitNotebook(hub: IPrimeHub, req: ISubmitRequest): Promise<ISubmitResult> {
  const groupVolume = hub.config?.groupVolume ?? null;
  const snap = await serverExtension.snapshot({ path: req.path });
  const volumePath = volumePathOf(snap.snapshot, groupVolume);
  const originalPath = volumePathOf(req.path, groupVolume);
  const toSubmitted = (run: NotebookRun): ISubmittedJob => ({
    job: run.job,
    output:
      run.output && 'volumePath' in run.output
        ? serverPathOf({ root: 'volume', path: run.output.volumePath }, groupVolume)
        : null,
    ...(run.sweepId ? { sweepId: run.sweepId } : {})
  });
  const watch = (runs: ISubmittedJob[]): Promise<void> =>
    runs.length === 0
      ? serverExtension.removeSnapshot(snap.snapshot)
      : serverExtension.watchSnapshot(
          snap.snapshot,
          runs.map(r => r.job.id)
        );
  const outputName = baseName(snap.output);
  const opts = req.group ? { group: req.group } : {};
  const common = {
    instanceType: req.instanceType,
    image: req.image,
    activeDeadlineSeconds: req.timeoutMinutes ? Math.round(req.timeoutMinutes * 60) : undefined,
    declared: req.declared,
    output: 'beside' as const,
    // the job runs the snapshot: its MLflow run's experiment is named after the notebook itself
    ...(originalPath !== null ? { notebookPath: originalPath } : {})
  };
  let runs: NotebookRun[];
  try {
    if (volumePath === null) {
      throw new Error(`${snap.snapshot} is not in the group volume, so a job cannot see it`);
    }
    const notebook = { volumePath };
    if (req.recurrence) {
      // A recurring job keeps its snapshot: each run needs it (removed when the recurring job is deleted).
      const made = await hub.client.notebook.schedule(
        {
          ...common,
          displayName: req.name,
          notebook,
          parameters: req.parameters,
          outputName,
          recurrence: req.recurrence
        },
        opts
      );
      return { jobs: [], schedule: made.schedule };
    }
    if (req.sweep && Object.keys(req.sweep).length > 0) {
      const stem = outputName.replace(/-output\.ipynb$/, '');
      runs = await hub.client.notebook.runSweep(
        {
          ...common,
          displayName: req.name,
          notebook,
          parameters: req.parameters,
          sweep: req.sweep,
          outputName: jobName => `${stem}-${jobName.slice(req.name.length + 1)}-output.ipynb`
        },
        opts
      );
    } else {
      runs = [
        await hub.client.notebook.run(
          {
            ...common,
            displayName: req.name,
            notebook,
            parameters: req.parameters,
            outputName
          },
          opts
        )
      ];
    }
  } catch (err) {
    if (err instanceof PartialSubmissionError) {
      const jobs = (err.submitted as NotebookRun[]).map(toSubmitted);
      await watch(jobs).catch(() => undefined);
      throw new PartialSubmissionError<ISubmittedJob>(err.message, jobs, err.planned, { cause: err.cause });
    }
    await watch([]).catch(() => undefined);
    throw err;
  }
  const jobs = runs.map(toSubmitted);
  await watch(jobs);
  return { jobs };
}
