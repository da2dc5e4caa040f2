import type { Job } from '@primehub-suite/client';
import {
  findRuns,
  jobsOfSchedule,
  jobsOfSweep,
  originalOfSnapshot,
  sweepIdOf,
  type CompareJob,
  type CompareSource,
  type FoundRun
} from '@primehub-suite/client/compare';
import { parseNotebookRunScript } from '@primehub-suite/client/notebook';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import { CompareModel } from './CompareModel';

/** What to compare: jobs picked, a sweep (its id, from one of its jobs), or a recurring job's runs. */
export type CompareRequest =
  | { kind: 'jobs'; jobs: readonly Job[] }
  | { kind: 'sweep'; sweepId: string }
  | { kind: 'schedule'; scheduleId: string; name: string };

/** The largest notebook read for its `set_experiment` (bigger ones are looked for by their name's experiment). */
const MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024;

/** How many of the group's newest jobs are read for a sweep's or a recurring job's jobs when the Jobs view lists none of them. */
const JOBS_TO_READ = 200;

/**
 * Compare Runs: finds the MLflow runs of jobs, a sweep or a recurring job through PrimeHub's
 * `mlflowRuns` and keeps a CompareModel of them. No UI.
 */
export class CompareManager {
  /**
   * @param knownJobs the jobs the Jobs view listed (a sweep's and a recurring job's jobs are among them)
   */
  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: Logger,
    private readonly knownJobs: () => readonly Job[]
  ) {}

  /**
   * What comparing these jobs means: one job of a sweep compares its sweep, one run of a recurring
   * job that recurring job's runs, anything else the jobs themselves.
   */
  requestFor(jobs: readonly Job[]): CompareRequest {
    if (jobs.length === 1) {
      const sweepId = sweepIdOf(jobs[0]);
      if (sweepId) {
        return { kind: 'sweep', sweepId };
      }
      if (jobs[0].schedule) {
        return { kind: 'schedule', scheduleId: jobs[0].schedule, name: jobs[0].schedule };
      }
    }
    return { kind: 'jobs', jobs };
  }

  titleOf(request: CompareRequest): string {
    switch (request.kind) {
      case 'sweep':
        return `Sweep ${request.sweepId}`;
      case 'schedule':
        return `Runs of recurring job ${request.name}`;
      case 'jobs':
        return request.jobs.length === 1
          ? `Job ${request.jobs[0].displayName || request.jobs[0].id}`
          : request.jobs.length <= 3
            ? `${request.jobs.length} jobs: ${request.jobs.map(j => j.displayName || j.id).join(', ')}`
            : `${request.jobs.length} jobs`;
    }
  }

  /** A model for `request`, loading. */
  open(request: CompareRequest): CompareModel {
    return new CompareModel(this.titleOf(request));
  }

  /** Finds the request's runs into `model` (a failure is the model's state: the view says it). */
  async load(model: CompareModel, request: CompareRequest, signal?: AbortSignal): Promise<void> {
    model.setLoading(this.titleOf(request));
    try {
      const source = await this.sourceOf(request, signal);
      const [found, mlflow] = await Promise.all([
        this.connection.call(c =>
          findRuns(c.models, source, { signal, notebookOf: job => this.notebookOf(job, signal) })
        ),
        this.connection.call(c => c.models.mlflow({ signal }))
      ]);
      this.log.info(
        `compare ${model.title}: ${found.runs.length} runs in ${found.experiments.join(', ') || 'no experiment'}` +
          (found.jobsWithoutRuns.length ? `, ${found.jobsWithoutRuns.length} jobs without a run` : '')
      );
      model.setFound(found, mlflow?.uiUrl);
    } catch (e) {
      this.log.warn(`compare ${model.title}: ${e instanceof Error ? e.message : String(e)}`);
      model.setError(e);
    }
  }

  /** The run of a compared row, with its experiment (Register Model's input). */
  foundRun(model: CompareModel, runId: string): FoundRun | undefined {
    return model.found.find(f => f.run.runId === runId);
  }

  /**
   * A notebook job's notebook when it is in PHFS (Run Current File uploads there), for its
   * `set_experiment`: the job's own copy, else the notebook a removed snapshot was made of. Null for
   * a notebook on the group volume, which only the notebook server sees.
   */
  private async notebookOf(job: CompareJob, signal?: AbortSignal): Promise<string | null> {
    const input = parseNotebookRunScript(job.command)?.input;
    if (input?.root !== 'phfs') {
      return null;
    }
    const read = (path: string): Promise<string | null> =>
      this.connection.call(c => c.files.readText(path, { signal, maxBytes: MAX_NOTEBOOK_BYTES })).catch(() => null);
    return (await read(input.path)) ?? (await read(originalOfSnapshot(input.path)));
  }

  private async sourceOf(request: CompareRequest, signal?: AbortSignal): Promise<CompareSource> {
    switch (request.kind) {
      case 'jobs':
        return { jobs: request.jobs };
      case 'sweep': {
        const jobs = jobsOfSweep(await this.jobsWhere(j => sweepIdOf(j) === request.sweepId, signal), request.sweepId);
        return { sweepId: request.sweepId, jobs };
      }
      case 'schedule':
        return {
          jobs: jobsOfSchedule(await this.jobsWhere(j => j.schedule === request.scheduleId, signal), request.scheduleId)
        };
    }
  }

  /** The known jobs when some of them fit; else the group's newest jobs read from PrimeHub. */
  private async jobsWhere(fits: (job: Job) => boolean, signal?: AbortSignal): Promise<readonly Job[]> {
    const known = this.knownJobs();
    if (known.some(fits)) {
      return known;
    }
    const listed: Job[] = [];
    for await (const job of this.connection.client.jobs.iterate({ signal, pageSize: 50 })) {
      listed.push(job);
      if (listed.length >= JOBS_TO_READ) {
        break;
      }
    }
    return listed;
  }
}
