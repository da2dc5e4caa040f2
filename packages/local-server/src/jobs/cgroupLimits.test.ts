import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectLimits, scopeArgs } from './cgroupLimits';

describe('detectLimits', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'phl-cgroup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in systemd-run that exits with `code`, printing `stderr`. */
  function fakeSystemdRun(code: number, stderr = ''): string {
    const file = join(dir, 'systemd-run');
    writeFileSync(file, `#!/bin/sh\necho '${stderr}' >&2\nexit ${code}\n`, { mode: 0o755 });
    return file;
  }

  test('no cgroup v2 (as on a cgroup v1 or hybrid host): not enforced', () => {
    expect(detectLimits(join(dir, 'missing'), 1000, fakeSystemdRun(0))).toEqual({
      enforced: false,
      reason:
        'cgroup v2 is not the cgroup hierarchy here (a cgroup v1 or hybrid host), so CPU and memory limits are not enforced'
    });
  });

  test('cgroup v2 without the memory and cpu controllers: not enforced, naming them', () => {
    writeFileSync(join(dir, 'cgroup.controllers'), 'hugetlb pids\n');
    expect(detectLimits(dir, 1000, fakeSystemdRun(0))).toEqual({
      enforced: false,
      reason: 'cgroup v2 lacks the memory and cpu controller, so CPU and memory limits are not enforced'
    });
  });

  test('controllers but no delegation (systemd-run --scope fails) or no systemd-run: not enforced', () => {
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    expect(detectLimits(dir, 1000, fakeSystemdRun(1, 'Failed to connect to bus: No medium found'))).toEqual({
      enforced: false,
      reason: 'cgroup v2 is not delegated to PrimeHub Local (systemd-run: Failed to connect to bus: No medium found)'
    });
    expect(detectLimits(dir, 1000, null)).toEqual({
      enforced: false,
      reason: 'systemd-run is not installed, so CPU and memory limits are not enforced'
    });
  });

  test('delegated: enforced through a transient scope (the user manager unless root)', () => {
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    const run = fakeSystemdRun(0);
    expect(detectLimits(dir, 1000, run)).toEqual({ enforced: true, systemdRun: run, user: true });
    expect(detectLimits(dir, 0, run)).toEqual({ enforced: true, systemdRun: run, user: false });
  });

  test('not Linux: not enforced, saying so', () => {
    expect(detectLimits(dir, 1000, fakeSystemdRun(0), 'darwin')).toEqual({
      enforced: false,
      reason: 'CPU and memory limits need Linux cgroups; this is darwin'
    });
  });

  test('the scope holds the instance type: MemoryMax in bytes, CPUQuota in percent', () => {
    expect(scopeArgs(true, 1.5, 2)).toEqual([
      '--user',
      '--scope',
      '--quiet',
      '--collect',
      '-p',
      'MemoryMax=2147483648',
      '-p',
      'CPUQuota=150%',
      '--'
    ]);
  });
});
