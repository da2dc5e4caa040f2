import type { Job } from '@primehub-suite/client';
import { ListModel } from '../util/ListModel';

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

/** What the Jobs view's title says about the listing: `42 jobs`, or `newest 100 of 230`. */
export function jobsCountText(listed: number, extent: { hasMore: boolean; total?: number }): string {
  if (!extent.hasMore) {
    return `${listed} job${listed === 1 ? '' : 's'}`;
  }
  return extent.total !== undefined ? `newest ${listed} of ${extent.total}` : `newest ${listed}`;
}

/** How far the listing reaches: all jobs, or the newest `items.length` of `total`. */
export interface JobsExtent {
  /** More jobs exist than are listed ("Load more" lists them). */
  hasMore: boolean;
  /** How many jobs the group has, when known. */
  total?: number;
}

/** The jobs of the current group as last listed, grouped by status (state only). */
export class JobsModel extends ListModel<Job> {
  private byGroup = new Map<JobStatusGroup, Job[]>();
  private byId = new Map<string, Job>();
  private _extent: JobsExtent = { hasMore: false };

  get jobs(): readonly Job[] {
    return this.items;
  }

  /** Whether more jobs exist than are listed, and how many there are. */
  get extent(): JobsExtent {
    return this._extent;
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

  /** Replaces the listing (the newest jobs; `extent` says whether more exist). */
  setJobs(jobs: Job[], extent: JobsExtent = { hasMore: false }): void {
    this._extent = extent;
    this.set(jobs);
  }

  /** Updates or inserts one job (after submit, cancel, rerun or a wait) without a full refresh. */
  upsert(job: Job): void {
    const known = this.byId.has(job.id);
    const rest = this.items.filter(j => j.id !== job.id);
    const i = this.items.findIndex(j => j.id === job.id);
    if (i >= 0) {
      rest.splice(i, 0, job);
    } else {
      rest.unshift(job);
    }
    const total = this._extent.total;
    this.setJobs(rest, { ...this._extent, total: total !== undefined && !known ? total + 1 : total });
  }

  override clear(): void {
    this._extent = { hasMore: false };
    super.clear();
  }

  protected override indexItems(jobs: readonly Job[]): void {
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
  }
}
