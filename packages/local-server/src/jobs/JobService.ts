import { exceedQuota, invalidInput, notAuth, notFound } from '../errors';
import type { GroupRow, IdentityStore, InstanceTypeRow, UserRow } from '../db/IdentityStore';
import type { JobRow, JobStore } from '../db/JobStore';

/** `PhJobCreateInput`, as received. */
export interface JobInput {
  displayName?: string | null;
  groupId?: string | null;
  instanceType?: string | null;
  image?: string | null;
  command?: string | null;
  activeDeadlineSeconds?: number | null;
}

/** What a job or a recurring job runs: checked once, the same way for both. */
export interface JobTemplate {
  displayName: string;
  group: GroupRow;
  instanceType: InstanceTypeRow;
  image: string;
  command: string;
  activeDeadlineSeconds: number | null;
}

/**
 * Checks job submissions the way PrimeHub's `createPhJob` resolver does — required fields,
 * membership (`NOT_AUTH`), instance type against the group and user quotas (`EXCEED_QUOTA`) —
 * and records accepted jobs for the runner.
 */
export class JobService {
  constructor(
    private readonly identity: IdentityStore,
    private readonly jobs: JobStore,
    private readonly onSubmitted: () => void
  ) {}

  /** Validates a job or schedule template for `user`. */
  template(user: UserRow, input: JobInput): JobTemplate {
    const displayName = requiredString(input.displayName, 'displayName');
    const groupId = requiredString(input.groupId, 'groupId');
    const group = this.identity.groupById(groupId);
    if (!group || !this.identity.isMember(user.id, group.id)) {
      throw notAuth();
    }
    const itName = requiredString(input.instanceType, 'instanceType');
    const instanceType = this.identity.instanceType(itName);
    if (!instanceType) {
      throw invalidInput(`instance type "${itName}" is not available in group ${group.name}`);
    }
    const image = requiredString(input.image, 'image');
    if (!this.identity.image(image)) {
      throw invalidInput(`image "${image}" is not available in group ${group.name}`);
    }
    const command = requiredString(input.command, 'command');
    const deadline = input.activeDeadlineSeconds ?? null;
    if (deadline !== null && (!Number.isInteger(deadline) || deadline <= 0)) {
      throw invalidInput('activeDeadlineSeconds must be a positive number of seconds');
    }
    checkQuota(group, instanceType);
    return { displayName, group, instanceType, image, command, activeDeadlineSeconds: deadline };
  }

  submit(user: UserRow, input: JobInput, scheduleId: string | null = null): JobRow {
    return this.submitTemplate(user, this.template(user, input), scheduleId);
  }

  submitTemplate(user: UserRow, t: JobTemplate, scheduleId: string | null): JobRow {
    const job = this.jobs.create({
      displayName: t.displayName,
      groupId: t.group.id,
      groupName: t.group.name,
      userId: user.id,
      userName: user.username,
      instanceType: t.instanceType.name,
      image: t.image,
      command: t.command,
      activeDeadlineSeconds: t.activeDeadlineSeconds,
      scheduleId
    });
    this.onSubmitted();
    return job;
  }

  /** A job the caller may see and act on: unknown ids and other groups' jobs are refused. */
  visible(user: UserRow, id: string): JobRow {
    const job = this.jobs.get(id);
    if (!job) {
      throw notFound('phjobs', id);
    }
    if (!this.identity.isMember(user.id, job.group_id)) {
      throw notAuth();
    }
    return job;
  }

  /** Re-submits a job's template as a new job; like PrimeHub, the deadline is not copied. */
  rerun(user: UserRow, id: string): JobRow {
    const old = this.visible(user, id);
    return this.submit(user, {
      displayName: old.display_name,
      groupId: old.group_id,
      instanceType: old.instance_type,
      image: old.image,
      command: old.command
    });
  }
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput(`${field} is required`);
  }
  return value;
}

/**
 * A job whose instance type alone exceeds a quota could never start, so it is refused at once,
 * with PrimeHub's messages. User quotas are per user within the group; group quotas for all members.
 */
export function checkQuota(group: GroupRow, it: InstanceTypeRow): void {
  const checks: [number | null, number, string][] = [
    [group.quota_cpu, it.cpu_limit, 'User Cpu Quota exceeded'],
    [group.quota_gpu, it.gpu_limit, 'User Gpu Quota exceeded'],
    [group.quota_memory, it.memory_limit, 'User Memory exceeded'],
    [group.project_quota_cpu, it.cpu_limit, 'Group Cpu Quota exceeded'],
    [group.project_quota_gpu, it.gpu_limit, 'Group Gpu Quota exceeded'],
    [group.project_quota_memory, it.memory_limit, 'Group Memory exceeded']
  ];
  for (const [quota, need, message] of checks) {
    if (quota !== null && need > quota) {
      throw exceedQuota(message);
    }
  }
}
