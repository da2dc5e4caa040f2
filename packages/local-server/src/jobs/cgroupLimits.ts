import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findExecutable } from './jobSandbox';

/** Whether the instance type's CPU and memory are enforced on jobs, and how. */
export type LimitsState = { enforced: true; systemdRun: string; user: boolean } | { enforced: false; reason: string };

/**
 * Limits are enforced where cgroup v2 has the memory and cpu controllers and systemd will make a
 * transient scope for PrimeHub Local (the user's manager, or the system's for root): each job then
 * runs in its own scope with MemoryMax and CPUQuota. Elsewhere they are not enforced, and say why.
 */
export function detectLimits(
  cgroupRoot = '/sys/fs/cgroup',
  uid = process.getuid?.() ?? -1,
  systemdRun: string | null = findExecutable('systemd-run') ?? null,
  platform = process.platform
): LimitsState {
  if (platform !== 'linux') {
    return { enforced: false, reason: `CPU and memory limits need Linux cgroups; this is ${platform}` };
  }
  let controllers: string[];
  try {
    controllers = readFileSync(`${cgroupRoot}/cgroup.controllers`, 'utf8').trim().split(/\s+/);
  } catch {
    return {
      enforced: false,
      reason:
        'cgroup v2 is not the cgroup hierarchy here (a cgroup v1 or hybrid host), so CPU and memory limits are not enforced'
    };
  }
  const missing = ['memory', 'cpu'].filter(c => !controllers.includes(c));
  if (missing.length > 0) {
    return {
      enforced: false,
      reason: `cgroup v2 lacks the ${missing.join(' and ')} controller, so CPU and memory limits are not enforced`
    };
  }
  if (!systemdRun) {
    return { enforced: false, reason: 'systemd-run is not installed, so CPU and memory limits are not enforced' };
  }
  const user = uid !== 0;
  const trial = spawnSync(systemdRun, [...scopeArgs(user, 1, 0.25), 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (trial.status !== 0) {
    const why = (trial.stderr || trial.error?.message || `exit ${trial.status}`).trim().split('\n')[0];
    return { enforced: false, reason: `cgroup v2 is not delegated to PrimeHub Local (systemd-run: ${why})` };
  }
  return { enforced: true, systemdRun, user };
}

/** systemd-run arguments, up to the command, for a scope holding `cpu` CPUs and `memoryGb` GB. */
export function scopeArgs(user: boolean, cpu: number, memoryGb: number): string[] {
  return [
    ...(user ? ['--user'] : []),
    '--scope',
    '--quiet',
    '--collect',
    '-p',
    `MemoryMax=${Math.max(1, Math.round(memoryGb * 1024 ** 3))}`,
    '-p',
    `CPUQuota=${Math.max(1, Math.round(cpu * 100))}%`,
    '--'
  ];
}
