import {
  isTerminalPhase,
  type Job,
  type JobSpec,
  type NotebookRun,
  type NotebookRunSpec
} from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import type { JobsModel } from './JobsModel';
import type { RunFilePlan } from './runFilePlan';

/** Options of the jobs listing. */
export interface JobsManagerOptions {
  /** How many of the newest jobs the view lists. */
  maxJobs: () => number;
}

/** Job operations for the commands and the Jobs view; keeps the JobsModel current. No UI. */
export class JobsManager {
  /** How many jobs the view lists: `maxJobs` at first, more after each "Load more". */
  private limit?: number;

  constructor(
    private readonly connection: ConnectionManager,
    readonly model: JobsModel,
    private readonly log: Logger,
    private readonly opts: JobsManagerOptions
  ) {}

  /** Lists the newest jobs of the current group into the model; errors are recorded and rethrown. */
  async refresh(signal?: AbortSignal): Promise<void> {
    if (this.connection.state !== 'signedIn') {
      this.model.clear();
      return;
    }
    try {
      const client = this.connection.client;
      const jobs: Job[] = [];
      const max = this.limit ?? this.opts.maxJobs();
      let hasMore = false;
      // one past the limit tells whether more exist
      for await (const job of client.jobs.iterate({ signal, pageSize: Math.min(max + 1, 100) })) {
        if (jobs.length === max) {
          hasMore = true;
          break;
        }
        jobs.push(job);
      }
      const total = hasMore ? await this.countJobs(signal) : jobs.length;
      this.model.setJobs(jobs, { hasMore, total });
    } catch (e) {
      // error first: an auth failure then clears the view for its "sign in again" state
      this.model.setError(e);
      this.connection.noteError(e);
      throw e;
    }
  }

  /** Lists `maxJobs` more of the older jobs. */
  async loadMore(signal?: AbortSignal): Promise<void> {
    this.limit = Math.max(this.limit ?? 0, this.model.jobs.length) + this.opts.maxJobs();
    await this.refresh(signal);
  }

  /** Back to the newest `maxJobs` (another group or profile). */
  resetListing(): void {
    this.limit = undefined;
  }

  /** How many jobs the group has: PrimeHub's numbered pages hold 10 jobs each, so the last page tells. */
  private async countJobs(signal?: AbortSignal): Promise<number | undefined> {
    try {
      const client = this.connection.client;
      const first = await client.jobs.list({ signal });
      if (first.totalPage <= 1) {
        return first.items.length;
      }
      const last = await client.jobs.list({ page: first.totalPage, signal });
      return (first.totalPage - 1) * first.items.length + last.items.length;
    } catch (e) {
      this.log.warn(`counting jobs: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  async submit(spec: JobSpec, signal?: AbortSignal): Promise<Job> {
    const job = await this.connection.call(c => c.jobs.submit(spec, { signal }));
    this.log.info(`submitted job ${job.id} (${job.displayName})`);
    this.model.upsert(job);
    return job;
  }

  async cancel(id: string, signal?: AbortSignal): Promise<Job> {
    const job = await this.connection.call(c => c.jobs.cancel(id, { signal }));
    this.model.upsert(job);
    return job;
  }

  async rerun(id: string, signal?: AbortSignal): Promise<Job> {
    const job = await this.connection.call(c => c.jobs.rerun(id, { signal }));
    this.model.upsert(job);
    return job;
  }

  /**
   * Waits for the job to end, reporting phases; the final job lands in the model. `wake` (the end
   * of its followed log) has the phase read at once.
   */
  async wait(
    id: string,
    opts: { signal?: AbortSignal; onPhase?: (phase: string) => void; wake?: Promise<unknown> } = {}
  ): Promise<Job> {
    const job = await this.connection.call(c =>
      c.jobs.wait(id, { signal: opts.signal, onPhase: p => opts.onPhase?.(p), wake: opts.wake })
    );
    this.model.upsert(job);
    return job;
  }

  async get(id: string, signal?: AbortSignal): Promise<Job> {
    return this.connection.call(c => c.jobs.get(id, { signal }));
  }

  /** The job's log lines; with `follow` until the job ends (or the signal aborts). */
  logs(id: string, opts: { follow: boolean; signal: AbortSignal }): AsyncGenerator<string, void, undefined> {
    return this.connection.client.jobs.logs(id, opts);
  }

  artifacts(id: string, signal?: AbortSignal) {
    return this.connection.call(c => c.jobs.artifacts(id, { signal }));
  }

  /** Downloads one artifact file or folder (`name` ending in `/`, or '' for all) into `localDir`. */
  async downloadArtifacts(
    id: string,
    name: string,
    localDir: string,
    opts: { signal?: AbortSignal; onProgress?: (bytes: number, totalBytes?: number) => void } = {}
  ): Promise<string[]> {
    const transfer = {
      signal: opts.signal,
      timeoutMs: 0,
      onProgress: (p: { bytes: number; totalBytes?: number }) => opts.onProgress?.(p.bytes, p.totalBytes)
    };
    return this.connection.call(async c => {
      if (name === '') {
        return c.jobs.downloadArtifacts(id, localDir, transfer);
      }
      const remote = c.jobs.artifactPath(id, name);
      if (name.endsWith('/')) {
        return c.files.downloadDirectory(remote, localDir, transfer);
      }
      return [await c.files.downloadFile(remote, localDir, transfer)];
    });
  }

  /** Uploads a local script into its run's PHFS folder (unless it runs in place) and submits the planned job. */
  async runFile(
    localPath: string,
    plan: RunFilePlan,
    spec: Omit<JobSpec, 'command' | 'displayName'> & { displayName?: string },
    signal?: AbortSignal
  ): Promise<Job> {
    const remoteDir = plan.remoteDir;
    if (remoteDir) {
      await this.connection.call(c => c.files.uploadFile(localPath, remoteDir, { signal, timeoutMs: 0 }));
      this.log.info(`uploaded ${localPath} to ${remoteDir}`);
    } else {
      this.log.info(`running ${localPath} in place on the group volume`);
    }
    return this.submit({ ...spec, displayName: spec.displayName ?? plan.displayName, command: plan.command }, signal);
  }

  /**
   * Runs a notebook through the client's `notebook.run` (the format JupyterLab's extension
   * submits and reruns as well); the job lands in the model.
   */
  async runNotebook(spec: NotebookRunSpec, signal?: AbortSignal): Promise<NotebookRun> {
    const run = await this.connection.call(c => c.notebook.run(spec, { signal }));
    this.log.info(`submitted notebook job ${run.job.id} (${run.job.displayName})`);
    this.model.upsert(run.job);
    return run;
  }

  /** Downloads one file of a job's artifacts to `localPath`; undefined when the job wrote none. */
  async downloadArtifactFile(
    id: string,
    name: string,
    localPath: string,
    signal?: AbortSignal
  ): Promise<string | undefined> {
    return this.connection.call(async c => {
      const remote = c.jobs.artifactPath(id, name);
      if (!(await c.files.isFile(remote, { signal }))) {
        return undefined;
      }
      // the client's timeout bounds the wait for the answer; its idle timeout the body however large
      return c.files.downloadFile(remote, localPath, { signal });
    });
  }

  /** The text of one file of a job's artifacts (e.g. its output notebook). */
  async readArtifactText(id: string, name: string, signal?: AbortSignal): Promise<string> {
    return this.connection.call(c => c.files.readText(c.jobs.artifactPath(id, name), { signal }));
  }

  isFinished(job: Job): boolean {
    return isTerminalPhase(job.phase);
  }
}
