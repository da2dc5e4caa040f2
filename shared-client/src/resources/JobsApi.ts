import type { ClientContext } from '../ClientContext';
import { streamLogLines, LogStreamOptions } from '../logStream';
import {
  JOB_ARTIFACTS,
  JOB_CANCEL,
  JOB_CURSOR_LIST,
  JOB_GET,
  JOB_LIST,
  JOB_LOG_ENDPOINT,
  JOB_PHASE,
  JOB_RERUN,
  JOB_SUBMIT,
  PhJobOrderByInput
} from '../operations/jobs';
import type { ArtifactItem, CallOptions, GroupCallOptions, Job, JobPhase, Page } from '../types';
import type { DownloadResult, FilesApi, TransferOptions } from './FilesApi';
import { iterateCursor, ownedCursorVariables, ownedListVariables, pageSize, toPage } from './paging';
import { pollUntil } from './pollUntil';
import { optionalInt, requireString, stripUndefined } from './validate';

/** What a job runs (SDK `jobs submit`). */
export interface JobSpec {
  displayName: string;
  instanceType: string;
  image: string;
  /** A shell script; multi-line is fine. */
  command: string;
  /** Kill the job after this many seconds. */
  activeDeadlineSeconds?: number;
}

/** Filters and order of job listings. */
export interface JobListOptions extends GroupCallOptions {
  /** 1-based page number (10 jobs per page). Default 1. */
  page?: number;
  /** Case-insensitive substring of id or display name. */
  search?: string;
  displayNameContains?: string;
  /** Only the caller's own jobs. */
  mine?: boolean;
  orderBy?: PhJobOrderByInput;
}

/** Options of `jobs.iterate`. */
export interface JobIterateOptions extends Omit<JobListOptions, 'page'> {
  /** Jobs per request (1–1000). Default 50. */
  pageSize?: number;
}

/** Options of `jobs.wait`. */
export interface JobWaitOptions {
  signal?: AbortSignal;
  /** Give up after this long (ms) with a TimeoutError; 0 or undefined waits forever. */
  timeoutMs?: number;
  /** Poll interval (ms). Default: the client's poll interval (1 s). */
  intervalMs?: number;
  /** Called whenever the phase changes (including the first observation). */
  onPhase?: (phase: JobPhase, jobId: string) => void;
  /**
   * Settles when the job has probably ended, e.g. when its followed log (`logs(id, { follow })`)
   * ended: the phase is read at once rather than at the next poll.
   */
  wake?: Promise<unknown>;
}

/** Phases after which a job never changes again. */
export const TERMINAL_JOB_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled', 'Unknown']);

/** True when the phase is Succeeded, Failed, Cancelled or Unknown. */
export function isTerminalPhase(phase: string | null | undefined): boolean {
  return phase !== null && phase !== undefined && TERMINAL_JOB_PHASES.has(phase);
}

/** Jobs (SDK `primehub jobs`). */
export class JobsApi {
  constructor(
    protected readonly ctx: ClientContext,
    protected readonly files: FilesApi
  ) {}

  /** Submits a job in the current group (or `opts.group`). */
  async submit(spec: JobSpec, opts: GroupCallOptions = {}): Promise<Job> {
    const data = {
      displayName: requireString(spec.displayName, 'displayName'),
      instanceType: requireString(spec.instanceType, 'instanceType'),
      image: requireString(spec.image, 'image'),
      command: requireString(spec.command, 'command'),
      activeDeadlineSeconds: optionalInt(spec.activeDeadlineSeconds, 'activeDeadlineSeconds')
    };
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const res = await this.ctx.requester.graphql(
      JOB_SUBMIT,
      { data: { ...stripUndefined(data), groupId: group.id } as typeof data & { groupId: string } },
      opts
    );
    return res.createPhJob;
  }

  /** One page of jobs (newest first unless `orderBy` says otherwise). */
  async list(opts: JobListOptions = {}): Promise<Page<Job>> {
    const page = opts.page ?? 1;
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(JOB_LIST, ownedListVariables(group.id, opts, page), opts);
    return toPage(data.phJobsConnection, page);
  }

  /**
   * Every job matching the filters (newest first unless `orderBy` says otherwise), fetched lazily
   * in cursor pages of `pageSize` (default 50): jobs submitted while it runs neither repeat nor
   * push others out. Use `list()` for numbered pages in UIs.
   */
  async *iterate(opts: JobIterateOptions = {}): AsyncGenerator<Job> {
    const first = pageSize(opts.pageSize);
    const group = await this.ctx.resolveGroup(opts.group, opts);
    yield* iterateCursor(async after => {
      const data = await this.ctx.requester.graphql(
        JOB_CURSOR_LIST,
        ownedCursorVariables(group.id, opts, first, after),
        opts
      );
      return data.phJobsConnection;
    });
  }

  /** One job by id; NotFoundError if it does not exist. */
  async get(id: string, opts: CallOptions = {}): Promise<Job> {
    const data = await this.ctx.requester.graphql(JOB_GET, { where: { id: requireString(id, 'id') } }, opts);
    return data.phJob;
  }

  /** Cancels a job and returns it as it is afterwards. */
  async cancel(id: string, opts: CallOptions = {}): Promise<Job> {
    await this.ctx.requester.graphql(JOB_CANCEL, { where: { id: requireString(id, 'id') } }, opts);
    return this.get(id, opts);
  }

  /** Reruns a job as a new job (new id; `activeDeadlineSeconds` is not copied by the server). */
  async rerun(id: string, opts: CallOptions = {}): Promise<Job> {
    const data = await this.ctx.requester.graphql(JOB_RERUN, { where: { id: requireString(id, 'id') } }, opts);
    return data.rerunPhJob;
  }

  /**
   * Polls until the job reaches a terminal phase and returns the final job.
   * Throws TimeoutError after `timeoutMs`; an abort rethrows the signal's reason.
   */
  async wait(id: string, opts: JobWaitOptions = {}): Promise<Job> {
    requireString(id, 'id');
    await pollUntil({
      read: async signal => (await this.ctx.requester.graphql(JOB_PHASE, { where: { id } }, { signal })).phJob.phase,
      label: phase => phase ?? 'Pending',
      done: phase => isTerminalPhase(phase),
      onChange: phase => opts.onPhase?.(phase as JobPhase, id),
      intervalMs: opts.intervalMs ?? this.ctx.pollIntervalMs,
      wake: opts.wake,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      what: `job ${id}`
    });
    return this.get(id, { signal: opts.signal });
  }

  /**
   * The job's log as an async iterator of lines. With `follow`, it streams until the job ends and
   * reconnects after drops without repeating or losing lines (see `streamLogLines`).
   */
  logs(id: string, opts: LogStreamOptions = {}): AsyncGenerator<string, void, undefined> {
    requireString(id, 'id');
    const ctx = this.ctx;
    return streamLogLines(
      ctx,
      async signal => {
        const data = await ctx.requester.graphql(JOB_LOG_ENDPOINT, { where: { id } }, { signal });
        return requireString(data.phJob.logEndpoint, 'logEndpoint');
      },
      opts,
      async signal => {
        const data = await ctx.requester.graphql(JOB_PHASE, { where: { id } }, { signal });
        return !isTerminalPhase(data.phJob.phase);
      }
    );
  }

  /** Files the job left in its artifacts folder (relative names). */
  async artifacts(id: string, opts: CallOptions = {}): Promise<ArtifactItem[]> {
    const data = await this.ctx.requester.graphql(JOB_ARTIFACTS, { where: { id: requireString(id, 'id') } }, opts);
    return data.phJob.artifact?.items ?? [];
  }

  /** PHFS path of an artifact: `/jobArtifacts/<jobId>/<name>`. */
  artifactPath(id: string, name = ''): string {
    return `/jobArtifacts/${id}/${name.replace(/^\/+/, '')}`;
  }

  /** Streams one artifact's bytes. */
  downloadArtifact(id: string, name: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    return this.files.download(this.artifactPath(id, requireString(name, 'name')), opts);
  }
}
