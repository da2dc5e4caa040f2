import type { IdentityStore } from '../db/IdentityStore';
import type { JobRow, JobStore } from '../db/JobStore';

/** CPUs and memory (GB): what a job holds, or what the machine offers. */
export interface Resources {
  cpu: number;
  memory: number;
}

/** A pending job that may start now, with what it holds while it runs. */
export interface Admission extends Resources {
  job: JobRow;
}

const EPSILON = 1e-9;

/**
 * The queue of pending jobs, the way PrimeHub's job controller takes them: FIFO per group, within
 * the machine's CPU/memory slots and the group's and user's quotas. Jobs that must wait get their
 * reason as their message (`Unschedulable`, as PrimeHub says).
 */
export class JobQueue {
  constructor(
    private readonly jobs: JobStore,
    private readonly identity: IdentityStore,
    private readonly machine: Resources
  ) {}

  /** The pending jobs that fit now, given what `running` holds, in the order they should start. */
  admit(running: Iterable<Resources>): Admission[] {
    let freeCpu = this.machine.cpu;
    let freeMemory = this.machine.memory;
    for (const r of running) {
      freeCpu -= r.cpu;
      freeMemory -= r.memory;
    }
    const admitted: Admission[] = [];
    const blocked = new Set<string>();
    for (const job of this.jobs.inPhases(['Pending'])) {
      const it = this.identity.instanceType(job.instance_type);
      const group = this.identity.groupById(job.group_id);
      if (!it || !group) {
        this.setWaiting(job, `instance type ${job.instance_type} or group no longer exists`);
        continue;
      }
      // Never schedulable here: leave it Pending and let the rest of its group run.
      if (it.gpu_limit > 0) {
        this.setWaiting(
          job,
          `instance type ${it.name} needs ${it.gpu_limit} GPU; PrimeHub Local has no GPU, so this job cannot be scheduled`
        );
        continue;
      }
      if (it.cpu_limit > this.machine.cpu || it.memory_limit > this.machine.memory) {
        this.setWaiting(job, `instance type ${it.name} needs more CPU or memory than this machine offers`);
        continue;
      }
      // FIFO per group: behind a job that waits, the group's later jobs wait too (checked after the
      // never-schedulable cases above, so those always say why).
      if (blocked.has(job.group_id)) {
        continue;
      }
      const wait = this.quotaWait(job, it.cpu_limit, it.memory_limit, admitted);
      if (wait) {
        this.setWaiting(job, wait);
        blocked.add(job.group_id);
        continue;
      }
      if (it.cpu_limit > freeCpu + EPSILON || it.memory_limit > freeMemory + EPSILON) {
        this.setWaiting(job, 'Waiting for a free slot: all CPUs of this machine are in use');
        blocked.add(job.group_id);
        continue;
      }
      freeCpu -= it.cpu_limit;
      freeMemory -= it.memory_limit;
      admitted.push({ job, cpu: it.cpu_limit, memory: it.memory_limit });
    }
    return admitted;
  }

  /** Why a job must wait for its group's or user's quota, or undefined if it fits. */
  private quotaWait(job: JobRow, cpu: number, memory: number, admitted: Admission[]): string | undefined {
    const group = this.identity.groupById(job.group_id)!;
    const groupUse = this.jobs.usage(job.group_id);
    const userUse = this.jobs.usage(job.group_id, job.user_id);
    // Jobs admitted in this pass are still Pending in the store: count them too.
    for (const a of admitted) {
      if (a.job.group_id === job.group_id) {
        groupUse.cpu += a.cpu;
        groupUse.memory += a.memory;
        if (a.job.user_id === job.user_id) {
          userUse.cpu += a.cpu;
          userUse.memory += a.memory;
        }
      }
    }
    if (group.project_quota_cpu !== null && groupUse.cpu + cpu > group.project_quota_cpu + EPSILON) {
      return 'Waiting for group quota: the group CPU quota is in use by other jobs';
    }
    if (group.project_quota_memory !== null && groupUse.memory + memory > group.project_quota_memory + EPSILON) {
      return 'Waiting for group quota: the group memory quota is in use by other jobs';
    }
    if (group.quota_cpu !== null && userUse.cpu + cpu > group.quota_cpu + EPSILON) {
      return 'Waiting for user quota: your CPU quota in this group is in use by your other jobs';
    }
    if (group.quota_memory !== null && userUse.memory + memory > group.quota_memory + EPSILON) {
      return 'Waiting for user quota: your memory quota in this group is in use by your other jobs';
    }
    return undefined;
  }

  private setWaiting(job: JobRow, message: string): void {
    if (job.message !== message) {
      this.jobs.update(job.id, { reason: 'Unschedulable', message });
    }
  }
}
