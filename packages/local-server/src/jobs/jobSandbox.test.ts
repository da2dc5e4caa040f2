import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectSandbox,
  findExecutable,
  isolationMode,
  privateEtcFiles,
  pythonMounts,
  sandboxArgs,
  systemMounts,
  writeAccounts
} from './jobSandbox';

describe('isolationMode', () => {
  test('the flag, else PRIMEHUB_LOCAL_JOB_ISOLATION, else auto; anything else is refused', () => {
    expect(isolationMode(undefined, {})).toBe('auto');
    expect(isolationMode(undefined, { PRIMEHUB_LOCAL_JOB_ISOLATION: 'none' })).toBe('none');
    expect(isolationMode('sandbox', { PRIMEHUB_LOCAL_JOB_ISOLATION: 'none' })).toBe('sandbox');
    expect(() => isolationMode('off', {})).toThrow('job isolation must be auto, sandbox or none (got "off")');
  });
});

describe('detectSandbox', () => {
  test('turned off, or not Linux: unavailable, saying why', () => {
    expect(detectSandbox('none')).toEqual({
      available: false,
      reason: expect.stringContaining('job isolation is turned off')
    });
    expect(detectSandbox('auto', 'darwin')).toEqual({
      available: false,
      reason: 'the job sandbox (bubblewrap) needs Linux; this is darwin'
    });
  });

  test('without bwrap on PATH: unavailable, naming the package', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(detectSandbox('auto', 'linux')).toEqual({
        available: false,
        reason: 'bubblewrap (bwrap) is not installed: install the Debian package bubblewrap'
      });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('the sandbox as a pod', () => {
  test('jovyan (1000, group users 100) in passwd and group files bound over /etc; the filter read from fd 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phl-accounts-'));
    try {
      writeAccounts(dir);
      expect(readFileSync(join(dir, 'passwd'), 'utf8')).toContain('jovyan:x:1000:100:jovyan:/home/jovyan:/bin/bash\n');
      expect(readFileSync(join(dir, 'group'), 'utf8')).toContain('users:x:100:jovyan\n');
      const args = sandboxArgs({ home: '/h', volume: '/v', phfs: '/p', group: 'g', accounts: dir, seccomp: true });
      const binds = args.flatMap((a, i) => (a === '--ro-bind' ? [`${args[i + 1]} -> ${args[i + 2]}`] : []));
      expect(binds).toEqual(
        expect.arrayContaining([`${join(dir, 'passwd')} -> /etc/passwd`, `${join(dir, 'group')} -> /etc/group`])
      );
      // After the /etc bind, or they would be hidden by it.
      expect(args.indexOf(join(dir, 'passwd'))).toBeGreaterThan(args.indexOf('/etc'));
      expect(args.join(' ')).toContain('--seccomp 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('findExecutable', () => {
  test('the first executable of that name on PATH; relative PATH entries are skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phl-which-'));
    try {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(dir, 'data'), '', { mode: 0o644 });
      expect(findExecutable('tool', `relative:${dir}`)).toBe(join(dir, 'tool'));
      expect(findExecutable('data', dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mounts', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'phl-root-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('the system is read-only; merged-/usr links stay links, real folders are bound', () => {
    for (const d of ['usr/bin', 'usr/lib', 'etc', 'lib64']) {
      mkdirSync(join(root, d), { recursive: true });
    }
    symlinkSync('usr/bin', join(root, 'bin'));
    symlinkSync('usr/lib', join(root, 'lib'));
    expect(systemMounts(root)).toEqual([
      '--ro-bind',
      join(root, 'usr'),
      '/usr',
      '--symlink',
      'usr/bin',
      '/bin',
      '--symlink',
      'usr/lib',
      '/lib',
      '--ro-bind',
      join(root, 'lib64'),
      '/lib64',
      '--ro-bind',
      join(root, 'etc'),
      '/etc'
    ]);
  });

  test('/etc files only their owner may read are hidden behind /dev/null, two levels deep', () => {
    mkdirSync(join(root, 'etc', 'ssh', 'deeper'), { recursive: true });
    mkdirSync(join(root, 'usr'), { recursive: true });
    writeFileSync(join(root, 'etc', 'shadow'), 'secret', { mode: 0o640 });
    writeFileSync(join(root, 'etc', 'passwd'), 'public', { mode: 0o644 });
    writeFileSync(join(root, 'etc', 'ssh', 'ssh_host_ed25519_key'), 'key', { mode: 0o600 });
    writeFileSync(join(root, 'etc', 'ssh', 'deeper', 'too-deep'), 'x', { mode: 0o600 });
    expect(privateEtcFiles(root)).toEqual(['/etc/shadow', '/etc/ssh/ssh_host_ed25519_key']);
    expect(systemMounts(root).slice(-6)).toEqual([
      '--ro-bind',
      '/dev/null',
      '/etc/shadow',
      '--ro-bind',
      '/dev/null',
      '/etc/ssh/ssh_host_ed25519_key'
    ]);
  });

  test('a virtualenv is mounted read-only with the interpreter installation it was made from', () => {
    const base = join(root, 'pyenv', '3.11');
    mkdirSync(join(base, 'bin'), { recursive: true });
    writeFileSync(join(base, 'bin', 'python3.11'), '');
    const venv = join(root, 'venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    symlinkSync(join(base, 'bin', 'python3.11'), join(venv, 'bin', 'python'));
    writeFileSync(join(venv, 'pyvenv.cfg'), `home = ${join(base, 'bin')}\nversion = 3.11\n`);
    expect(pythonMounts(venv)).toEqual(['--ro-bind-try', venv, venv, '--ro-bind-try', base, base]);
    // An env made from the system's Python needs only itself (/usr is mounted anyway).
    writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
    rmSync(join(venv, 'bin', 'python'));
    expect(pythonMounts(venv)).toEqual(['--ro-bind-try', venv, venv]);
  });

  test('a virtualenv under /tmp (a clone there) is mounted after the private /tmp, so it stays visible', () => {
    const venv = join(tmpdir(), 'phl-clone', '.venv');
    const args = sandboxArgs({ home: '/d/h', volume: '/d/v', phfs: '/d/p', group: 'team', pythonEnv: venv });
    const tmpfs = args.findIndex((a, i) => a === '--tmpfs' && args[i + 1] === '/tmp');
    const env = args.findIndex((a, i) => a === '--ro-bind-try' && args[i + 1] === venv);
    expect(tmpfs).toBeGreaterThanOrEqual(0);
    expect(env).toBeGreaterThan(tmpfs);
  });

  test("a job's sandbox holds its home, its group's volume and PHFS at a pod's paths, in its own PID namespace", () => {
    const args = sandboxArgs({
      home: '/d/jobs/j/home',
      volume: '/d/volumes/team',
      phfs: '/d/phfs/groups/team',
      group: 'team'
    });
    const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [`${args[i + 1]} -> ${args[i + 2]}`] : []));
    expect(pairs('--bind')).toEqual([
      '/d/jobs/j/home -> /home/jovyan',
      '/d/volumes/team -> /project/team',
      '/d/phfs/groups/team -> /phfs',
      // Also where a notebook server on the host sees them.
      '/d/volumes/team -> /d/volumes/team',
      '/d/phfs/groups/team -> /d/phfs/groups/team'
    ]);
    expect(args).toEqual(expect.arrayContaining(['--unshare-pid', '--die-with-parent', '--new-session']));
    // Whoever runs PrimeHub Local (root included), the job is uid 1000 in a user namespace of its own, with no
    // capability; no seccomp filter unless asked for.
    expect(args.join(' ')).toContain('--unshare-user --uid 1000 --gid 100 --disable-userns --cap-drop ALL');
    expect(args).not.toContain('--seccomp');
    expect(args.filter((a, i) => a === '--tmpfs' && args[i + 1] === '/tmp')).toHaveLength(1);
    // The network is not unshared: the server's API stays reachable over loopback.
    expect(args).not.toContain('--unshare-net');
    expect(args.slice(-3)).toEqual(['--chdir', '/home/jovyan', '--']);
  });
});
