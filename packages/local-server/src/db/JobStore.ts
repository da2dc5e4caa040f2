import { randomInt } from 'node:crypto';
import { RecordStore } from './RecordStore';

export type JobPhase = 'Pending' | 'Preparing' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Unknown';

export const TERMINAL_PHASES: readonly JobPhase[] = ['Succeeded', 'Failed', 'Cancelled', 'Unknown'];

/** How far a finished job's artifacts got: copied exactly once, tracked across restarts. */
export type ArtifactState = 'copying' | 'done';

export interface JobRow {
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
  schedule_id: string | null;
  cancel: number;
  phase: JobPhase;
  reason: string | null;
  message: string | null;
  create_time: string;
  start_time: string | null;
  finish_time: string | null;
  pid: number | null;
  /** The command's exit status, recorded before artifacts are copied and the phase is set. */
  exit_code: number | null;
  artifacts: ArtifactState | null;
}

export interface NewJob {
  displayName: string;
  groupId: string;
  groupName: string;
  userId: string;
  userName: string;
  instanceType: string;
  image: string;
  command: string;
  activeDeadlineSeconds: number | null;
  scheduleId: string | null;
}

const BASE36 = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `<prefix>-<n random base36 chars>`, the suffix PrimeHub puts on generated names. */
export function randomName(prefix: string, n = 6): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += BASE36[randomInt(BASE36.length)];
  }
  return `${prefix}-${s}`;
}

/** PrimeHub's job id: `job-<YYYYMMDDHHmm UTC>-<6 base36 chars>`. */
export function newJobId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-T:]/g, '').slice(0, 12);
  return randomName(`job-${stamp}`);
}

/** Job records. */
export class JobStore extends RecordStore<JobRow> {
  protected readonly table = 'jobs';
  protected readonly sortable: Record<string, string> = {
    displayName: 'display_name',
    schedule: 'schedule_id',
    createTime: 'create_time',
    userName: 'user_name',
    groupName: 'group_name',
    phase: 'phase'
  };
  protected readonly defaultSort = { field: 'createTime', dir: 'desc' } as const;

  /** Jobs per group are kept by triggers (see the schema), so a page's total costs one lookup per group. */
  protected override countInGroups(requested: string[]): number {
    const groups = [...new Set(requested)];
    if (groups.length === 0) {
      return 0;
    }
    const row = this.db
      .prepare(`SELECT COALESCE(SUM(n), 0) AS n FROM job_counts WHERE group_id IN (${groups.map(() => '?').join(',')})`)
      .get(...groups) as { n: number };
    return row.n;
  }

  create(job: NewJob): JobRow {
    const now = new Date();
    let id = newJobId(now);
    while (this.get(id)) {
      id = newJobId(now);
    }
    this.db
      .prepare(
        `INSERT INTO jobs (id, display_name, group_id, group_name, user_id, user_name, instance_type, image, command,
          active_deadline_seconds, schedule_id, phase, create_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Pending', ?)`
      )
      .run(
        id,
        job.displayName,
        job.groupId,
        job.groupName,
        job.userId,
        job.userName,
        job.instanceType,
        job.image,
        job.command,
        job.activeDeadlineSeconds,
        job.scheduleId,
        now.toISOString()
      );
    return this.get(id)!;
  }

  /** Jobs in any of `phases`, oldest first (the queue order). */
  inPhases(phases: readonly JobPhase[]): JobRow[] {
    return this.db
      .prepare(`SELECT * FROM jobs WHERE phase IN (${phases.map(() => '?').join(',')}) ORDER BY seq`)
      .all(...phases) as JobRow[];
  }

  /** Terminal jobs whose artifacts were not yet copied (the server stopped in between). */
  unpublished(): JobRow[] {
    return this.db
      .prepare(
        "SELECT * FROM jobs WHERE phase IN ('Succeeded', 'Failed', 'Cancelled', 'Unknown') AND (artifacts IS NULL OR artifacts != 'done') ORDER BY seq"
      )
      .all() as JobRow[];
  }

  /**
   * The CPU, memory and GPU held by a group's (or one of its users') jobs that occupy a slot. Looked
   * up by phase (few jobs run at once), never by group: `+group_id` keeps SQLite off the group index,
   * which would scan every job the group ever ran.
   */
  usage(groupId: string, userId?: string): { cpu: number; memory: number; gpu: number } {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(t.cpu_limit), 0) AS cpu, COALESCE(SUM(t.memory_limit), 0) AS memory,
           COALESCE(SUM(t.gpu_limit), 0) AS gpu
         FROM jobs j JOIN instance_types t ON t.name = j.instance_type
         WHERE j.phase IN ('Preparing', 'Running') AND +j.group_id = ? AND (? IS NULL OR j.user_id = ?)`
      )
      .get(groupId, userId ?? null, userId ?? null) as { cpu: number; memory: number; gpu: number };
    return row;
  }
}
