import type { ClientContext } from '../ClientContext';
import { cronNextRuns } from '../cron';
import { ValidationError } from '../errors';
import {
  PhScheduleOrderByInput,
  PhScheduleUpdateInput,
  RecurrenceInput,
  SCHEDULE_CREATE,
  SCHEDULE_DELETE,
  SCHEDULE_CURSOR_LIST,
  SCHEDULE_GET,
  SCHEDULE_LIST,
  SCHEDULE_RUN,
  SCHEDULE_UPDATE
} from '../operations/schedules';
import type { CallOptions, GroupCallOptions, Page, RecurrenceType, Schedule } from '../types';
import { iterateCursor, ownedCursorVariables, ownedListVariables, pageSize, toPage } from './paging';
import { optionalInt, requireString, stripUndefined } from './validate';

/** Recurrence as users give it; `on-demand` (SDK/UI wording) means `inactive`. */
export interface RecurrenceSpec {
  type: RecurrenceType | 'on-demand';
  /** Required for `custom`; presets are filled in for daily/weekly/monthly. */
  cron?: string;
}

/** A recurring job (SDK `recurring-jobs create`). */
export interface ScheduleSpec {
  displayName: string;
  instanceType: string;
  image: string;
  command: string;
  recurrence: RecurrenceSpec;
  activeDeadlineSeconds?: number;
}

/** Filters and order of schedule listings. */
export interface ScheduleListOptions extends GroupCallOptions {
  page?: number;
  search?: string;
  displayNameContains?: string;
  mine?: boolean;
  orderBy?: PhScheduleOrderByInput;
}

/** The web UI's presets for the named recurrence types. */
export const RECURRENCE_PRESETS: Readonly<Record<string, string>> = {
  inactive: '',
  daily: '0 4 * * *',
  weekly: '0 4 * * 1',
  monthly: '0 4 1 * *'
};

const RECURRENCE_TYPES = new Set(['inactive', 'daily', 'weekly', 'monthly', 'custom']);

/** Validates a recurrence and converts it to the server's form. */
export function normalizeRecurrence(r: RecurrenceSpec): RecurrenceInput {
  if (!r || typeof r.type !== 'string') {
    throw new ValidationError('recurrence.type is required');
  }
  const type = r.type === 'on-demand' ? 'inactive' : r.type;
  if (!RECURRENCE_TYPES.has(type)) {
    throw new ValidationError(
      `recurrence.type must be one of on-demand, inactive, daily, weekly, monthly, custom (got "${r.type}")`
    );
  }
  if (type === 'custom') {
    const cron = requireString(r.cron, 'recurrence.cron (required for custom)').trim();
    const check = cronNextRuns(cron, 1);
    if (!check.ok) {
      throw new ValidationError(`recurrence.cron "${cron}" is not valid: ${check.message}`);
    }
    return { type, cron };
  }
  return { type, cron: r.cron ?? RECURRENCE_PRESETS[type] };
}

/**
 * Whether a recurring job is paused: `inactive` with a cron kept to resume with (see
 * {@link SchedulesApi.pause}). An `inactive` one without a cron runs only on demand.
 */
export function isPaused(schedule: Pick<Schedule, 'recurrence'>): boolean {
  return schedule.recurrence?.type === 'inactive' && !!schedule.recurrence.cron?.trim();
}

/**
 * The recurrence a paused recurring job resumes with: the preset type whose cron it kept
 * (`daily`, `weekly`, `monthly`), else `custom` with that cron; undefined when it is not paused.
 */
export function resumedRecurrence(schedule: Pick<Schedule, 'recurrence'>): RecurrenceInput | undefined {
  if (!isPaused(schedule)) {
    return undefined;
  }
  const cron = schedule.recurrence!.cron!.trim();
  const preset = Object.keys(RECURRENCE_PRESETS).find(t => t !== 'inactive' && RECURRENCE_PRESETS[t] === cron);
  return { type: preset ?? 'custom', cron };
}

/** Recurring jobs (SDK `primehub recurring-jobs`). */
export class SchedulesApi {
  constructor(private readonly ctx: ClientContext) {}

  /** Creates a recurring job in the current group (or `opts.group`). */
  async create(spec: ScheduleSpec, opts: GroupCallOptions = {}): Promise<Schedule> {
    const data = {
      displayName: requireString(spec.displayName, 'displayName'),
      instanceType: requireString(spec.instanceType, 'instanceType'),
      image: requireString(spec.image, 'image'),
      command: requireString(spec.command, 'command'),
      recurrence: normalizeRecurrence(spec.recurrence),
      activeDeadlineSeconds: optionalInt(spec.activeDeadlineSeconds, 'activeDeadlineSeconds')
    };
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const res = await this.ctx.requester.graphql(
      SCHEDULE_CREATE,
      { data: { ...stripUndefined(data), groupId: group.id } },
      opts
    );
    return res.createPhSchedule;
  }

  /** One recurring job; NotFoundError if it does not exist. */
  async get(id: string, opts: CallOptions = {}): Promise<Schedule> {
    const data = await this.ctx.requester.graphql(SCHEDULE_GET, { where: { id: requireString(id, 'id') } }, opts);
    return data.phSchedule;
  }

  /** One page of recurring jobs (10 per page). */
  async list(opts: ScheduleListOptions = {}): Promise<Page<Schedule>> {
    const page = opts.page ?? 1;
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(SCHEDULE_LIST, ownedListVariables(group.id, opts, page), opts);
    return toPage(data.phSchedulesConnection, page);
  }

  /** Every recurring job, fetched lazily in cursor pages of `pageSize` (default 50). */
  async *iterate(opts: Omit<ScheduleListOptions, 'page'> & { pageSize?: number } = {}): AsyncGenerator<Schedule> {
    const first = pageSize(opts.pageSize);
    const group = await this.ctx.resolveGroup(opts.group, opts);
    yield* iterateCursor(async after => {
      const data = await this.ctx.requester.graphql(
        SCHEDULE_CURSOR_LIST,
        ownedCursorVariables(group.id, opts, first, after),
        opts
      );
      return data.phSchedulesConnection;
    });
  }

  /** Partial update; like the SDK, the group id is always sent. */
  async update(id: string, patch: Partial<ScheduleSpec>, opts: GroupCallOptions = {}): Promise<Schedule> {
    requireString(id, 'id');
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data: PhScheduleUpdateInput = stripUndefined({
      displayName: patch.displayName,
      instanceType: patch.instanceType,
      image: patch.image,
      command: patch.command,
      recurrence: patch.recurrence ? normalizeRecurrence(patch.recurrence) : undefined,
      activeDeadlineSeconds: optionalInt(patch.activeDeadlineSeconds, 'activeDeadlineSeconds'),
      groupId: group.id
    });
    const res = await this.ctx.requester.graphql(SCHEDULE_UPDATE, { data, where: { id } }, opts);
    return res.updatePhSchedule;
  }

  /**
   * Pauses a recurring job: its recurrence becomes `inactive` with its cron kept (PrimeHub stores a
   * recurrence as sent and runs no inactive one), so {@link resume} brings the same schedule back
   * and other PrimeHub clients still see it. Pausing a paused or on-demand job changes nothing.
   * The job stays in its own group whatever the client's group is.
   */
  async pause(id: string, opts: CallOptions = {}): Promise<Schedule> {
    const s = await this.get(id, opts);
    const type = s.recurrence?.type;
    if (!type || type === 'inactive') {
      return s;
    }
    const cron = s.recurrence?.cron?.trim() || RECURRENCE_PRESETS[type] || '';
    return this.setRecurrence(s, { type: 'inactive', cron }, opts);
  }

  /**
   * Resumes a paused recurring job with the cron it kept (see {@link resumedRecurrence}); a job
   * that is not inactive is returned unchanged. A ValidationError for one that runs only on demand
   * (no cron to resume with): give it a recurrence with `update`.
   */
  async resume(id: string, opts: CallOptions = {}): Promise<Schedule> {
    const s = await this.get(id, opts);
    if (s.recurrence?.type !== 'inactive') {
      return s;
    }
    const recurrence = resumedRecurrence(s);
    if (!recurrence) {
      throw new ValidationError(
        `recurring job "${s.displayName ?? s.id}" runs on demand only: there is no schedule to resume; set a recurrence instead`
      );
    }
    return this.setRecurrence(s, recurrence, opts);
  }

  private async setRecurrence(s: Schedule, recurrence: RecurrenceInput, opts: CallOptions): Promise<Schedule> {
    // the job's own group, as the SDK always sends one: never the client's current group
    const data: PhScheduleUpdateInput = stripUndefined({ recurrence, groupId: s.groupId ?? undefined });
    const res = await this.ctx.requester.graphql(SCHEDULE_UPDATE, { data, where: { id: s.id } }, opts);
    return res.updatePhSchedule;
  }

  /** Deletes a recurring job (jobs it already started are kept). */
  async delete(id: string, opts: CallOptions = {}): Promise<{ id: string }> {
    const res = await this.ctx.requester.graphql(SCHEDULE_DELETE, { where: { id: requireString(id, 'id') } }, opts);
    return res.deletePhSchedule;
  }

  /** Runs the recurring job now; returns the id of the job it created. */
  async run(id: string, opts: CallOptions = {}): Promise<{ jobId: string | null }> {
    const res = await this.ctx.requester.graphql(SCHEDULE_RUN, { where: { id: requireString(id, 'id') } }, opts);
    return { jobId: res.runPhSchedule.job?.id ?? null };
  }
}
