import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalServerProcess } from '../kit/localServer';
import { fetchText, submitJob, waitForJob } from '../kit/http';
import { jobProcesses, waitFor } from '../kit/wait';

/**
 * Attacks a job makes on the machine it runs on, as an outside tester made them: each must fail
 * whether PrimeHub Local runs as root (as here) or not. They run with Debian's python3 for raw
 * system calls (mount, mknod, keyctl, TIOCSTI) that the tools would refuse before the kernel does.
 */
describe('a job attacking its sandbox', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '2', '--job-isolation', 'sandbox'] });
  });

  afterAll(async () => {
    await server.dispose();
  });

  /** Runs `command` as a cpu-1 job of the default group; its final state and log. */
  async function run(command: string): Promise<{ job: any; log: string }> {
    const submitted = await submitJob(server.endpoint, server.token, { groupId: server.groupId, command });
    const job = await waitForJob(server.endpoint, server.token, submitted.id, undefined, 25_000);
    const log = (await fetchText(`${submitted.logEndpoint}?follow=false`, server.token)).text;
    return { job, log };
  }

  /** Python run with /usr/bin/python3, calling libc directly; prints `<name> <errno name or ok>`. */
  const syscalls = [
    "/usr/bin/python3 - <<'EOF'",
    'import ctypes, errno, fcntl, os, termios',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'def attempt(name, rc):',
    '    print(name, "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()])',
    'attempt("mount-tmpfs", libc.mount(b"none", b"/mnt", b"tmpfs", 0, None))',
    'attempt("mount-sysfs", libc.mount(b"sysfs", b"/tmp", b"sysfs", 0, None))',
    'attempt("umount-shadow", libc.umount2(b"/etc/shadow", 2))',
    'attempt("mknod-block", libc.mknod(b"/tmp/disk", 0o60600, os.makedev(8, 0)))',
    // keyctl(KEYCTL_JOIN_SESSION_KEYRING) and add_key, by number (x86-64: 250, 248).
    'attempt("keyctl", libc.syscall(250, 1, None))',
    'attempt("add_key", libc.syscall(248, b"user", b"k", b"v", 1, -3))',
    'attempt("unshare-user", libc.unshare(0x10000000))',
    'attempt("setns", libc.setns(os.open("/proc/self/ns/mnt", os.O_RDONLY), 0))',
    // On stdin (/dev/null) the filter answers EPERM before the driver's ENOTTY.
    'try:',
    '    fcntl.ioctl(0, termios.TIOCSTI, b"x"); print("tiocsti ok")',
    'except OSError as e:',
    '    print("tiocsti", errno.errorcode[e.errno])',
    'EOF'
  ].join('\n');

  test('the job is jovyan (uid 1000) with no capability, no_new_privs and the seccomp filter', async () => {
    const { job, log } = await run(
      [
        'grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status',
        'echo "user=$(id -un) uid=$(id -u) gid=$(id -g) home=$HOME"'
      ].join('\n')
    );
    expect(job.phase).toBe('Succeeded');
    expect(log).toMatch(/^CapPrm:\s+0000000000000000$/m);
    expect(log).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(log).toMatch(/^CapBnd:\s+0000000000000000$/m);
    expect(log).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(log).toMatch(/^Seccomp:\s+2$/m);
    expect(log).toContain('user=jovyan uid=1000 gid=100 home=/home/jovyan');
  });

  test('mount, umount, mknod, keyctl, unshare, setns and TIOCSTI are all refused', async () => {
    const { log } = await run(syscalls);
    for (const name of ['mount-tmpfs', 'mount-sysfs', 'umount-shadow', 'mknod-block', 'keyctl', 'add_key']) {
      expect(log).toMatch(new RegExp(`^${name} EPERM$`, 'm'));
    }
    expect(log).toMatch(/^unshare-user EPERM$/m);
    expect(log).toMatch(/^setns EPERM$/m);
    expect(log).toMatch(/^tiocsti EPERM$/m);
  });

  test('the tools fail too: mount, umount, unshare -U, unshare -r, nsenter; /etc/shadow stays masked', async () => {
    const { log } = await run(
      [
        'mount -t tmpfs none /mnt 2>/dev/null && echo mount-tmpfs=ok || echo mount-tmpfs=refused',
        'mount -t sysfs sysfs /mnt 2>/dev/null && echo mount-sysfs=ok || echo mount-sysfs=refused',
        'umount /etc/shadow 2>/dev/null && echo umount=ok || echo umount=refused',
        'unshare -U true 2>/dev/null && echo unshare-U=ok || echo unshare-U=refused',
        'unshare -r true 2>/dev/null && echo unshare-r=ok || echo unshare-r=refused',
        'nsenter -t 1 -m true 2>/dev/null && echo nsenter=ok || echo nsenter=refused',
        'echo "shadow=$(cat /etc/shadow 2>/dev/null | wc -c)"'
      ].join('\n')
    );
    for (const name of ['mount-tmpfs', 'mount-sysfs', 'umount', 'unshare-U', 'unshare-r', 'nsenter']) {
      expect(log).toContain(`${name}=refused\n`);
    }
    expect(log).toContain('shadow=0\n');
  });

  test("files a job writes are the server's on the host, and the server publishes and removes them", async () => {
    const { job, log } = await run(
      [
        'echo out > artifacts/out.txt',
        'echo v > "$PRIMEHUB_GROUP_VOLUME_PATH/by-job.txt"',
        'echo p > /phfs/by-job.txt'
      ].join('\n')
    );
    expect(job.phase).toBe('Succeeded');
    expect(log).toContain('Artifacts:');
    const uid = process.getuid!();
    const volume = join(server.dataDir, 'volumes', 'phusers', 'by-job.txt');
    const phfs = join(server.dataDir, 'phfs', 'groups', 'phusers', 'by-job.txt');
    const artifact = join(server.dataDir, 'phfs', 'groups', 'phusers', 'jobArtifacts', job.id, 'out.txt');
    for (const file of [volume, phfs, artifact]) {
      expect(statSync(file).uid).toBe(uid);
    }
    // The job's home (owned by the job inside) is removed when it ends.
    expect(existsSync(join(server.dataDir, 'jobs', job.id, 'home'))).toBe(false);
  });

  test('/api/health reports what a probe job observed', async () => {
    const res = await fetch(`${server.baseUrl}/api/health`);
    const { jobs } = await res.json();
    expect(jobs).toEqual({
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

  test('a cpu-1 job allocating past its memory ends Failed with reason OOMKilled', async () => {
    const { job } = await run(
      ["python - <<'EOF'", 'chunks = []', 'while True:', '    chunks.append(bytearray(64 * 1024 * 1024))', 'EOF'].join(
        '\n'
      )
    );
    expect(job).toMatchObject({ phase: 'Failed', reason: 'OOMKilled' });
  });

  test('a fork bomb stops at the process limit, and ends with its job', async () => {
    // 2,000 sleeping children, forked by Python (bash would retry a refused fork for seconds), then killed.
    const { job, log } = await run(
      [
        "python - <<'EOF'",
        'import os, signal, time',
        'children, refused = [], 0',
        'for _ in range(2000):',
        '    try:',
        '        pid = os.fork()',
        '    except OSError:',
        '        refused += 1',
        '        continue',
        '    if pid == 0:',
        '        time.sleep(60)',
        '        os._exit(0)',
        '    children.append(pid)',
        'print(f"started={len(children)} refused={refused}")',
        'for pid in children:',
        '    os.kill(pid, signal.SIGKILL)',
        'EOF'
      ].join('\n')
    );
    expect(job.phase).toBe('Succeeded');
    const [, started, refused] = /started=(\d+) refused=(\d+)/.exec(log) ?? [];
    expect(Number(started)).toBeGreaterThan(100);
    expect(Number(started)).toBeLessThan(1024);
    expect(Number(refused)).toBe(2000 - Number(started));
    await waitFor('every process of the job to end', () => jobProcesses(job.id).length === 0, 10_000);
    // Its cgroups are gone with it.
    const cgroups = readdirSync('/sys/fs/cgroup/pids').filter(d => d.includes(job.id));
    expect(cgroups).toEqual([]);
  });
});
