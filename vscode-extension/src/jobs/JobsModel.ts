import type { Job } from '@primehub-suite/client';
import { Emitter } from '../util/Emitter';

/** The status groups of the Jobs view, in display order. */
export const JOB_STATUS_GROUPS = ['Running', 'Succeeded', 'Failed', 'Cancelled'] as const;
export type JobStatusGroup = (typeof JOB_STATUS_GROUPS)[number];

/** The status group a phase belongs to (pending and preparing jobs count as running). */
export function statusGroupOf(phase: string | null | undefined): JobStatusGroup {
  switch (phase) {
    case 'Succeeded':
      return 'Succeeded';
    case 'Failed':
    case 'Unknown':
      return 'Failed';
    case 'Cancelled':
      return 'Cancelled';
    default:
      return 'Running';
  }
}

/** The jobs of the current group as last listed, grouped by status (state only). */
export class JobsModel {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;

  private _jobs: Job[] = [];
  private byGroup = new Map<JobStatusGroup, Job[]>();
  private byId = new Map<string, Job>();
  private _loaded = false;
  private _error?: unknown;

  get jobs(): readonly Job[] {
    return this._jobs;
  }

  /** True once a listing arrived (an empty tree then means "no jobs", not "loading"). */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last refresh's error, cleared by the next successful one. */
  get error(): unknown {
    return this._error;
  }

  /** Status groups that hold jobs, with their jobs (newest first as listed). */
  groups(): Array<{ group: JobStatusGroup; jobs: Job[] }> {
    return JOB_STATUS_GROUPS.filter(g => (this.byGroup.get(g)?.length ?? 0) > 0).map(g => ({
      group: g,
      jobs: this.byGroup.get(g)!
    }));
  }

  jobsIn(group: JobStatusGroup): Job[] {
    return this.byGroup.get(group) ?? [];
  }

  get(id: string): Job | undefined {
    return this.byId.get(id);
  }

  /** Replaces the listing. */
  setJobs(jobs: Job[]): void {
    this._jobs = jobs;
    this._loaded = true;
    this._error = undefined;
    this.byGroup = new Map();
    this.byId = new Map();
    for (const job of jobs) {
      const g = statusGroupOf(job.phase);
      let list = this.byGroup.get(g);
      if (!list) {
        list = [];
        this.byGroup.set(g, list);
      }
      list.push(job);
      this.byId.set(job.id, job);
    }
    this._onDidChange.fire();
  }

  /** Updates or inserts one job (after submit, cancel, rerun or a wait) without a full refresh. */
  upsert(job: Job): void {
    const rest = this._jobs.filter(j => j.id !== job.id);
    const i = this._jobs.findIndex(j => j.id === job.id);
    if (i >= 0) {
      rest.splice(i, 0, job);
    } else {
      rest.unshift(job);
    }
    this.setJobs(rest);
  }

  setError(error: unknown): void {
    this._error = error;
    this._onDidChange.fire();
  }

  clear(): void {
    this._jobs = [];
    this.byGroup = new Map();
    this.byId = new Map();
    this._loaded = false;
    this._error = undefined;
    this._onDidChange.fire();
  }
}
