import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobCgroups, detectLimits, limitArgs, oomKilled, removeJobCgroups, scopeArgs } from './cgroupLimits';

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

  /** A cgroup v1 tree (memory nested, as in a container; cpu and pids at the root) under `dir`. */
  const V1_SELF = '8:pids:/\n4:memory:/outer/inner\n1:cpu,cpuacct:/\n0::/\n';
  function v1Tree(): void {
    for (const d of ['memory/outer/inner', 'cpu', 'pids']) {
      mkdirSync(join(dir, d), { recursive: true });
    }
  }

  test('cgroup v2 delegated: a systemd scope (the user manager unless root)', () => {
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    const run = fakeSystemdRun(0);
    expect(detectLimits({ cgroupRoot: dir, uid: 1000, systemdRun: run })).toEqual({
      mechanism: 'cgroup-v2',
      systemdRun: run,
      user: true
    });
    expect(detectLimits({ cgroupRoot: dir, uid: 0, systemdRun: run })).toMatchObject({ user: false });
  });

  test('cgroup v1 as root: the controllers PrimeHub Local itself is in, read from /proc/self/cgroup', () => {
    v1Tree();
    expect(detectLimits({ cgroupRoot: dir, uid: 0, selfCgroup: V1_SELF, systemdRun: null })).toEqual({
      mechanism: 'cgroup-v1',
      parents: { pids: join(dir, 'pids'), memory: join(dir, 'memory/outer/inner'), cpu: join(dir, 'cpu') }
    });
  });

  test('cgroup v1 not as root, or v2 not delegated: process limits with prlimit, saying why', () => {
    v1Tree();
    expect(
      detectLimits({ cgroupRoot: dir, uid: 1000, selfCgroup: V1_SELF, systemdRun: null, prlimit: '/usr/bin/prlimit' })
    ).toEqual({
      mechanism: 'rlimit',
      prlimit: '/usr/bin/prlimit',
      reason:
        'cgroup v2 is not the cgroup hierarchy here; cgroup v1 controllers are writable only by root: only address space and process count are limited'
    });
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    expect(
      detectLimits({
        cgroupRoot: dir,
        uid: 1000,
        systemdRun: fakeSystemdRun(1, 'Failed to connect to bus'),
        prlimit: null
      })
    ).toEqual({
      mechanism: 'none',
      reason:
        'cgroup v2 is not delegated to PrimeHub Local (systemd-run: Failed to connect to bus); cgroup v1 controllers are writable only by root, and prlimit (util-linux) is not installed'
    });
  });

  test('cgroup v2 without the memory and cpu controllers, or not Linux: named', () => {
    writeFileSync(join(dir, 'cgroup.controllers'), 'hugetlb pids\n');
    expect(detectLimits({ cgroupRoot: dir, uid: 1000, prlimit: null })).toMatchObject({
      mechanism: 'none',
      reason: expect.stringContaining('cgroup v2 lacks the memory and cpu controller')
    });
    expect(detectLimits({ platform: 'darwin' })).toEqual({
      mechanism: 'none',
      reason: 'CPU and memory limits need Linux; this is darwin'
    });
  });
});

describe('limits of one job', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'phl-cgroup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the systemd scope holds MemoryMax in bytes, CPUQuota in percent and TasksMax', () => {
    expect(scopeArgs(true, 1.5, 2)).toEqual([
      '--user',
      '--scope',
      '--quiet',
      '--collect',
      '-p',
      'MemoryMax=2147483648',
      '-p',
      'CPUQuota=150%',
      '-p',
      'TasksMax=1024',
      '--'
    ]);
  });

  test('rlimit: prlimit with numbers only; none: nothing', () => {
    expect(limitArgs({ mechanism: 'rlimit', prlimit: '/usr/bin/prlimit', reason: '' }, 'j', 1, 1)).toEqual([
      '/usr/bin/prlimit',
      '--as=1073741824',
      '--nproc=1024',
      '--'
    ]);
    expect(limitArgs({ mechanism: 'none', reason: '' }, 'j', 1, 1)).toEqual([]);
  });

  test('cgroup v1: the job joins its cgroups before bwrap runs, by a constant script taking the paths', () => {
    const state = { mechanism: 'cgroup-v1' as const, parents: { memory: '/m', cpu: '/c', pids: '/p' } };
    const args = limitArgs(state, 'job-1', 1, 1);
    expect(args.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(args.slice(3)).toEqual([
      'sh',
      '/m/primehub-local-job-1/cgroup.procs',
      '/c/primehub-local-job-1/cgroup.procs',
      '/p/primehub-local-job-1/cgroup.procs',
      '--'
    ]);
    expect(args[2]).not.toContain('job-1');
  });

  test('cgroup v1: the limits are written, an OOM kill is read from memory.oom_control, the folders removed', async () => {
    const parents = { memory: join(dir, 'm'), cpu: join(dir, 'c'), pids: join(dir, 'p') };
    const state = { mechanism: 'cgroup-v1' as const, parents };
    Object.values(parents).forEach(d => mkdirSync(d));
    await createJobCgroups(state, 'j', 1.5, 1);
    const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
    expect(read(parents.memory, 'primehub-local-j', 'memory.limit_in_bytes')).toBe('1073741824');
    expect(read(parents.memory, 'primehub-local-j', 'memory.memsw.limit_in_bytes')).toBe('1073741824');
    expect(read(parents.cpu, 'primehub-local-j', 'cpu.cfs_quota_us')).toBe('150000');
    expect(read(parents.pids, 'primehub-local-j', 'pids.max')).toBe('1024');
    const control = join(parents.memory, 'primehub-local-j', 'memory.oom_control');
    writeFileSync(control, 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
    expect(await oomKilled(state, 'j', true)).toBe(false);
    writeFileSync(control, 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    expect(await oomKilled(state, 'j', false)).toBe(true);
    // A real cgroup's files vanish with it; these stand-ins are removed first.
    for (const d of Object.values(parents)) {
      rmSync(join(d, 'primehub-local-j'), { recursive: true });
      mkdirSync(join(d, 'primehub-local-j'));
    }
    await removeJobCgroups(state, 'j');
    expect(Object.values(parents).filter(d => existsSync(join(d, 'primehub-local-j')))).toEqual([]);
  });
});
