import { TERMINAL_PHASES, type JobStore } from '../db/JobStore';
import type { IdentityStore } from '../db/IdentityStore';
import type { ScheduleRow, ScheduleStore } from '../db/ScheduleStore';
import type { JobService } from '../jobs/JobService';
import type { Logger } from '../logger';
import { nextRun } from './recurrence';

/** Longest sleep between checks, so clock changes and edits are picked up. */
const MAX_SLEEP_MS = 30_000;

/**
 * Fires recurring jobs at their `nextRunTime`. Like PrimeHub's scheduler, a run that comes due
 * while the previous scheduled run of the same schedule is still going is skipped; runs missed
 * while the server was down are not made up.
 */
export class Scheduler {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly schedules: ScheduleStore,
    private readonly jobs: JobStore,
    private readonly identity: IdentityStore,
    private readonly service: JobService,
    private readonly log: Logger
  ) {}

  start(): void {
    const now = new Date();
    for (const s of this.schedules.active()) {
      if (Date.parse(s.next_run_time!) < now.getTime() - 1000) {
        this.schedules.update(s.id, { next_run_time: nextRun(s.cron, now) });
      }
    }
    this.reschedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Re-reads the schedules; call after one is created, changed or deleted. */
  reschedule(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    const next = Math.min(...this.schedules.active().map(s => Date.parse(s.next_run_time!)), Date.now() + MAX_SLEEP_MS);
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
  }

  private tick(): void {
    const now = new Date();
    for (const s of this.schedules.active()) {
      if (Date.parse(s.next_run_time!) <= now.getTime()) {
        this.fire(s, now);
      }
    }
    this.reschedule();
  }

  private fire(s: ScheduleRow, now: Date): void {
    const patch: Partial<ScheduleRow> = { last_fire_time: now.toISOString(), next_run_time: nextRun(s.cron, now) };
    const previous = s.last_scheduled_job_id ? this.jobs.get(s.last_scheduled_job_id) : undefined;
    if (previous && !TERMINAL_PHASES.includes(previous.phase)) {
      this.log.info(`schedule ${s.id}: skipped, previous run ${previous.id} is still ${previous.phase}`);
      this.schedules.update(s.id, patch);
      return;
    }
    const user = this.identity.userById(s.user_id);
    try {
      if (!user) {
        throw new Error('the schedule owner no longer exists');
      }
      const job = this.service.submit(user, templateOf(s), s.id);
      patch.last_scheduled_job_id = job.id;
      patch.message = null;
    } catch (err) {
      patch.message = `last run could not be submitted: ${(err as Error).message}`;
      this.log.warn(`schedule ${s.id}: ${patch.message}`);
    }
    this.schedules.update(s.id, patch);
  }
}

/** The job input a schedule submits (also used by `runPhSchedule`). */
export function templateOf(s: ScheduleRow) {
  return {
    displayName: s.display_name,
    groupId: s.group_id,
    instanceType: s.instance_type,
    image: s.image,
    command: s.command,
    activeDeadlineSeconds: s.active_deadline_seconds
  };
}
