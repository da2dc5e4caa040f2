import { randomName } from './JobStore';
import { RecordStore } from './RecordStore';

export interface ScheduleRow {
  seq: number;
  id: string;
  display_name: string;
  group_id: string;
  group_name: string;
  user_id: string;
  user_name: string;
  instance_type: string;
  image: string;
  command: string;
  active_deadline_seconds: number | null;
  recurrence_type: string;
  cron: string;
  create_time: string;
  update_time: string;
  next_run_time: string | null;
  invalid: number;
  message: string | null;
  last_fire_time: string | null;
  last_scheduled_job_id: string | null;
}

export type ScheduleFields = Pick<
  ScheduleRow,
  | 'display_name'
  | 'group_id'
  | 'group_name'
  | 'user_id'
  | 'user_name'
  | 'instance_type'
  | 'image'
  | 'command'
  | 'active_deadline_seconds'
  | 'recurrence_type'
  | 'cron'
  | 'next_run_time'
  | 'invalid'
  | 'message'
>;

/** Recurring job (PhSchedule) records. */
export class ScheduleStore extends RecordStore<ScheduleRow> {
  protected readonly table = 'schedules';
  protected readonly sortable: Record<string, string> = {
    displayName: 'display_name',
    groupName: 'group_name',
    userName: 'user_name',
    nextRunTime: 'next_run_time',
    createTime: 'create_time',
    updateTime: 'update_time'
  };
  // PrimeHub lists recurring jobs most recently updated first.
  protected readonly defaultSort = { field: 'updateTime', dir: 'desc' } as const;

  create(fields: ScheduleFields): ScheduleRow {
    let id = randomName('recurrence');
    while (this.get(id)) {
      id = randomName('recurrence');
    }
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO schedules (id, display_name, group_id, group_name, user_id, user_name, instance_type, image, command,
          active_deadline_seconds, recurrence_type, cron, next_run_time, invalid, message, create_time, update_time)
         VALUES (@id, @display_name, @group_id, @group_name, @user_id, @user_name, @instance_type, @image, @command,
          @active_deadline_seconds, @recurrence_type, @cron, @next_run_time, @invalid, @message, @now, @now)`
      )
      .run({ ...fields, id, now });
    return this.get(id)!;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id);
  }

  /** Valid, recurring schedules: the ones the timer fires. */
  active(): ScheduleRow[] {
    return this.db
      .prepare(
        "SELECT * FROM schedules WHERE invalid = 0 AND recurrence_type != 'inactive' AND next_run_time IS NOT NULL"
      )
      .all() as ScheduleRow[];
  }
}
