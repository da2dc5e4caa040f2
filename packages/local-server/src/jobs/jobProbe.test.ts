import { isolationReport, type Observed } from './jobProbe';

const SAFE: Observed = {
  uid: 1000,
  user: 'jovyan',
  capEff: '0000000000000000',
  capBnd: '0000000000000000',
  noNewPrivs: true,
  seccomp: true,
  mountRefused: true,
  cgroup: ['8:pids:/primehub-local-p', '4:memory:/outer/primehub-local-p', '1:cpu,cpuacct:/primehub-local-p'],
  addressSpace: null,
  processes: null
};
const SANDBOX = { available: true as const, bwrap: '/usr/bin/bwrap', seccomp: '/f.bpf' };
const V1 = { mechanism: 'cgroup-v1' as const, parents: { memory: '/m/outer', cpu: '/c', pids: '/p' } };

describe('isolationReport', () => {
  test('everything observed in place: sandbox, limits held by the cgroups, no reason', () => {
    expect(isolationReport(SANDBOX, V1, SAFE, 'p')).toEqual({
      isolation: 'sandbox',
      uid: 1000,
      user: 'jovyan',
      capEff: '0000000000000000',
      capBnd: '0000000000000000',
      noNewPrivs: true,
      seccomp: true,
      mountRefused: true,
      limits: { mechanism: 'cgroup-v1', memory: true, cpu: true, pids: 1024 }
    });
  });

  test('a probe holding capabilities (the old sandbox as root) is not a sandbox, and says why', () => {
    const report = isolationReport(SANDBOX, V1, { ...SAFE, uid: 0, capEff: '000001fffeffffff', seccomp: false }, 'p');
    expect(report.isolation).toBe('partial');
    expect(report.reason).toContain('jobs hold capabilities (CapEff 000001fffeffffff)');
    expect(report.reason).toContain('jobs run as uid 0, not 1000');
    expect(report.reason).toContain('jobs have no seccomp filter');
  });

  test('a missing filter is explained once, by the package to install', () => {
    const weak = { available: true as const, bwrap: '/usr/bin/bwrap', weakness: 'python3-seccomp is not installed' };
    const report = isolationReport(weak, V1, { ...SAFE, seccomp: false }, 'p');
    expect(report).toMatchObject({ isolation: 'partial', reason: 'python3-seccomp is not installed' });
  });

  test('a probe outside its cgroups, or no probe at all: limits not held, saying so', () => {
    const outside = isolationReport(SANDBOX, V1, { ...SAFE, cgroup: ['4:memory:/', '1:cpu:/', '8:pids:/'] }, 'p');
    expect(outside.limits).toEqual({
      mechanism: 'cgroup-v1',
      memory: false,
      cpu: false,
      pids: null,
      reason: 'jobs were not in their cgroup v1 memory, cpu, pids controller'
    });
    const none = isolationReport(SANDBOX, V1, undefined, 'p', 'the probe job failed (exit 1)');
    expect(none).toMatchObject({ isolation: 'partial', capEff: null, limits: { memory: false } });
    expect(none.reason).toContain('the probe job failed (exit 1)');
  });

  test('rlimit: memory and processes as the probe read them from /proc/self/limits; no sandbox: none', () => {
    const rlimit = { mechanism: 'rlimit' as const, prlimit: '/usr/bin/prlimit', reason: 'cgroup v1 needs root' };
    const report = isolationReport(
      { available: false, reason: 'no bwrap' },
      rlimit,
      {
        ...SAFE,
        addressSpace: 1 << 30,
        processes: 1024
      },
      'p'
    );
    expect(report).toMatchObject({
      isolation: 'none',
      limits: { mechanism: 'rlimit', memory: true, cpu: false, pids: 1024, reason: 'cgroup v1 needs root' },
      reason: 'no bwrap; cgroup v1 needs root'
    });
  });
});
