import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cron } from 'croner';
import { openDatabase, type Db } from '../db/Database';
import { IdentityStore, type UserRow } from '../db/IdentityStore';
import { JobStore, type JobPhase, type JobRow } from '../db/JobStore';
import { ScheduleStore, type ScheduleRow } from '../db/ScheduleStore';
import { JobService } from '../jobs/JobService';
import { createLogger } from '../logger';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from '../seed';
import { Scheduler, templateOf } from './Scheduler';

/** The scheduler with real stores over a real SQLite database; no job runner, so jobs stay where the test puts them. */
describe('Scheduler', () => {
  let dir: string;
  let db: Db;
  let identity: IdentityStore;
  let jobs: JobStore;
  let schedules: ScheduleStore;
  let service: JobService;
  let scheduler: Scheduler;
  let user: UserRow;
  let logLines: string[];
  let submitted: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-scheduler-'));
    db = openDatabase(join(dir, 'primehub.db'));
    identity = new IdentityStore(db);
    seedDefaults(identity);
    jobs = new JobStore(db);
    schedules = new ScheduleStore(db);
    submitted = 0;
    service = new JobService(identity, jobs, () => submitted++);
    logLines = [];
    scheduler = new Scheduler(
      schedules,
      jobs,
      identity,
      service,
      createLogger('debug', line => logLines.push(line))
    );
    user = identity.userByName(DEFAULT_USER)!;
  });

  afterEach(() => {
    scheduler.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function createSchedule(overrides: Partial<ScheduleRow> = {}): ScheduleRow {
    const group = identity.groupByName(DEFAULT_GROUP)!;
    const s = schedules.create({
      display_name: 'nightly-train',
      group_id: group.id,
      group_name: group.name,
      user_id: user.id,
      user_name: user.username,
      instance_type: 'cpu-1',
      image: 'base-notebook',
      command: 'echo train',
      active_deadline_seconds: 600,
      recurrence_type: 'custom',
      cron: '*/5 * * * *',
      next_run_time: new Date(Date.now() + 3600_000).toISOString(),
      invalid: 0,
      message: null
    });
    return Object.keys(overrides).length ? schedules.update(s.id, overrides) : s;
  }

  const jobsOf = (scheduleId: string): JobRow[] =>
    db.prepare('SELECT * FROM jobs WHERE schedule_id = ? ORDER BY seq').all(scheduleId) as JobRow[];

  async function waitFor<T>(what: string, get: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = get();
      if (value) {
        return value;
      }
      if (Date.now() > until) {
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise(r => setTimeout(r, 10));
    }
  }

  /** Makes the schedule due now (just in the past) and lets the scheduler look again. */
  function makeDue(id: string): string {
    const due = new Date(Date.now() - 200).toISOString();
    schedules.update(id, { next_run_time: due });
    scheduler.reschedule();
    return due;
  }

  /** Waits until the scheduler handled the due run (fired or skipped): nextRunTime moved to the future. */
  async function handled(id: string, due: string): Promise<ScheduleRow> {
    return waitFor(`schedule ${id} to be handled`, () => {
      const s = schedules.get(id)!;
      return s.next_run_time !== due && s.last_fire_time !== null ? s : undefined;
    });
  }

  const setPhase = (id: string, phase: JobPhase): JobRow => jobs.update(id, { phase });

  test('a due schedule submits a job from its template, for its owner, and moves nextRunTime to the next cron time', async () => {
    const s = createSchedule();
    const before = Date.now();
    const due = makeDue(s.id);
    const after = await handled(s.id, due);
    const [job] = jobsOf(s.id);
    expect(jobsOf(s.id)).toHaveLength(1);
    expect(job).toMatchObject({
      schedule_id: s.id,
      display_name: 'nightly-train',
      group_id: s.group_id,
      user_id: user.id,
      user_name: user.username,
      instance_type: 'cpu-1',
      image: 'base-notebook',
      command: 'echo train',
      active_deadline_seconds: 600,
      phase: 'Pending'
    });
    expect(submitted).toBe(1);
    expect(after.last_scheduled_job_id).toBe(job.id);
    expect(after.message).toBeNull();
    const fired = Date.parse(after.last_fire_time!);
    expect(fired).toBeGreaterThanOrEqual(before - 5);
    expect(after.next_run_time).toBe(new Cron('*/5 * * * *', { paused: true }).nextRun(new Date(fired))!.toISOString());
    expect(Date.parse(after.next_run_time!)).toBeGreaterThan(Date.now());
  });

  test('a due run is skipped while the previous scheduled run is not terminal, and fires again once it is', async () => {
    const s = createSchedule();
    await handled(s.id, makeDue(s.id));
    const first = jobsOf(s.id)[0];

    for (const phase of ['Pending', 'Preparing', 'Running'] as const) {
      setPhase(first.id, phase);
      const after = await handled(s.id, makeDue(s.id));
      expect(jobsOf(s.id).map(j => j.id)).toEqual([first.id]);
      expect(after.last_scheduled_job_id).toBe(first.id);
      // The skipped run still moves the schedule on to its next time.
      expect(Date.parse(after.next_run_time!)).toBeGreaterThan(Date.now());
      expect(
        logLines.some(l => l.includes(`schedule ${s.id}: skipped, previous run ${first.id} is still ${phase}`))
      ).toBe(true);
    }

    setPhase(first.id, 'Succeeded');
    let after = await handled(s.id, makeDue(s.id));
    const second = jobsOf(s.id)[1];
    expect(jobsOf(s.id)).toHaveLength(2);
    expect(after.last_scheduled_job_id).toBe(second.id);

    // Failed and Cancelled runs are finished too.
    setPhase(second.id, 'Failed');
    after = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(3);
    setPhase(after.last_scheduled_job_id!, 'Cancelled');
    await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(4);
  });

  test('manual runs (runPhSchedule) neither block nor count as the previous scheduled run', async () => {
    const s = createSchedule();
    await handled(s.id, makeDue(s.id));
    const scheduled = jobsOf(s.id)[0];
    setPhase(scheduled.id, 'Succeeded');

    // A manual run (what runPhSchedule submits: the template as a normal job) is still running
    // when the next run comes due.
    const manual = service.submit(user, templateOf(schedules.get(s.id)!));
    expect(manual.schedule_id).toBeNull();
    setPhase(manual.id, 'Running');
    let after = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(2);
    const next = after.last_scheduled_job_id!;
    expect([scheduled.id, manual.id]).not.toContain(next);
    expect(jobsOf(s.id)[1].id).toBe(next);

    // The scheduled run is now the one that matters: still Pending, so the next due run is skipped,
    // even though the manual run has finished.
    setPhase(manual.id, 'Succeeded');
    after = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(2);
    expect(after.last_scheduled_job_id).toBe(next);

    // A second manual run while the scheduled one is busy does not unblock it either.
    service.submit(user, templateOf(schedules.get(s.id)!));
    after = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(2);
  });

  test('only the schedule whose previous run is busy is skipped', async () => {
    const busy = createSchedule({ display_name: 'busy' });
    const idle = createSchedule({ display_name: 'idle' });
    await handled(busy.id, makeDue(busy.id));
    const dueBusy = makeDue(busy.id);
    const dueIdle = makeDue(idle.id);
    await handled(busy.id, dueBusy);
    await handled(idle.id, dueIdle);
    expect(jobsOf(busy.id)).toHaveLength(1);
    expect(jobsOf(idle.id)).toHaveLength(1);
  });

  test('inactive and invalid schedules never fire', async () => {
    const inactive = createSchedule({ recurrence_type: 'inactive', cron: '', next_run_time: null });
    const invalid = createSchedule({ cron: 'not a cron', invalid: 1, message: 'invalid cron', next_run_time: null });
    const control = createSchedule();
    // Even a stale nextRunTime on an invalid schedule is ignored.
    schedules.update(invalid.id, { next_run_time: new Date(Date.now() - 200).toISOString() });
    await handled(control.id, makeDue(control.id));
    expect(jobsOf(inactive.id)).toHaveLength(0);
    expect(jobsOf(invalid.id)).toHaveLength(0);
    expect(schedules.get(inactive.id)!.last_fire_time).toBeNull();
    expect(schedules.get(invalid.id)!.last_fire_time).toBeNull();
  });

  test('a run that cannot be submitted is reported in the schedule message, and the schedule moves on', async () => {
    const s = createSchedule({ instance_type: 'no-such-type' });
    const after = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(0);
    expect(after.message).toMatch(/^last run could not be submitted: .*no-such-type/);
    expect(Date.parse(after.next_run_time!)).toBeGreaterThan(Date.now());

    // Fixed: the next run goes through and clears the message.
    schedules.update(s.id, { instance_type: 'cpu-1' });
    const fixed = await handled(s.id, makeDue(s.id));
    expect(jobsOf(s.id)).toHaveLength(1);
    expect(fixed.message).toBeNull();
  });

  test('on start, runs missed while the server was down are not made up', async () => {
    const s = createSchedule({ cron: '0 4 * * *', next_run_time: new Date(Date.now() - 3600_000).toISOString() });
    const before = new Date();
    scheduler.start();
    const after = new Date();
    const moved = schedules.get(s.id)!;
    expect(Date.parse(moved.next_run_time!)).toBeGreaterThan(before.getTime());
    const cron = new Cron('0 4 * * *', { paused: true });
    expect([cron.nextRun(before)!.toISOString(), cron.nextRun(after)!.toISOString()]).toContain(moved.next_run_time);
    // Give the (now idle) timer a chance: nothing is submitted.
    await new Promise(r => setTimeout(r, 50));
    expect(jobsOf(s.id)).toHaveLength(0);
    expect(submitted).toBe(0);
  });
});
