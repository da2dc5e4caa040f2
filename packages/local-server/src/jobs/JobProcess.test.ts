import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobProcesses } from '../../../../test/kit/wait';
import { JobProcess, type JobLaunch } from './JobProcess';
import { detectSandbox, type SandboxState } from './jobSandbox';

const NOT_ENFORCED = { mechanism: 'none' as const, reason: 'test' };
const NO_SANDBOX: SandboxState = { available: false, reason: 'test' };

/** The sandbox, or a failure saying why it is missing (never a silent pass). */
function sandbox(): SandboxState {
  const state = detectSandbox('sandbox');
  if (!state.available) {
    throw new Error(`this test needs the bubblewrap sandbox (npm test's bootstrap installs it): ${state.reason}`);
  }
  return state;
}

describe('JobProcess', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'phl-jobprocess-'));
    mkdirSync(join(root, 'jobs', 'job-1'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  let n = 0;
  function launch(command: string, state: SandboxState): JobLaunch {
    return {
      jobId: `job-unit-${process.pid}-${++n}`,
      command,
      user: 'alice',
      group: 'team',
      cpu: 1,
      memoryGb: 1,
      home: join(root, 'jobs', 'job-1', 'home'),
      volume: join(root, 'volumes', 'team'),
      phfs: join(root, 'phfs', 'groups', 'team'),
      log: join(root, 'jobs', 'job-1', 'job.log'),
      sandbox: state,
      limits: NOT_ENFORCED
    };
  }

  async function run(l: JobLaunch): Promise<{ code: number | null; log: string }> {
    await JobProcess.prepare(l);
    const p = JobProcess.start(l);
    const code = await new Promise<number | null>(resolve => p.once('exit', c => resolve(c)));
    return { code, log: readFileSync(l.log, 'utf8') };
  }

  test("in the sandbox the job sees a pod's paths and PrimeHub's variables", () => {
    const env = JobProcess.environment(launch('true', { available: true, bwrap: '/usr/bin/bwrap' }));
    expect(env).toMatchObject({
      HOME: '/home/jovyan',
      PRIMEHUB_GROUP_VOLUME_PATH: '/project/team',
      PRIMEHUB_PHFS_PATH: '/home/jovyan/phfs',
      PRIMEHUB_USER: 'alice',
      PRIMEHUB_GROUP: 'team',
      PHJOB_NAME: expect.stringMatching(/^job-unit-/)
    });
    const argv = JobProcess.argv(launch('echo "$HOME"', { available: true, bwrap: '/usr/bin/bwrap' }));
    expect(argv[0]).toBe('/usr/bin/bwrap');
    // The command is one argument to bash, never pasted into a shell line of ours.
    expect(argv.slice(-3)).toEqual(['bash', '-lc', 'echo "$HOME"']);
    // The filter, when there is one, is read from descriptor 3.
    const filtered = JobProcess.argv(
      launch('true', { available: true, bwrap: '/usr/bin/bwrap', accounts: '/d/sandbox', seccomp: '/d/f.bpf' })
    );
    expect(filtered.join(' ')).toContain('--seccomp 3');
    expect(filtered.join(' ')).toContain('--ro-bind /d/sandbox/passwd /etc/passwd');
  });

  test('without a sandbox the job gets the host paths, and with enforced limits a systemd scope', () => {
    const l = launch('true', NO_SANDBOX);
    expect(JobProcess.environment(l)).toMatchObject({
      HOME: l.home,
      PRIMEHUB_GROUP_VOLUME_PATH: l.volume,
      PRIMEHUB_PHFS_PATH: join(l.home, 'phfs')
    });
    expect(JobProcess.argv(l)).toEqual(['bash', '-lc', 'true']);
    const limited = JobProcess.argv({
      ...l,
      limits: { mechanism: 'cgroup-v2', systemdRun: '/bin/systemd-run', user: true }
    });
    expect(limited.slice(0, 3)).toEqual(['/bin/systemd-run', '--user', '--scope']);
    expect(limited.slice(-3)).toEqual(['bash', '-lc', 'true']);
  });

  test('a sandboxed job reads /phfs and its group volume; the rest of the data directory and the host /tmp are invisible', async () => {
    const l = launch(
      [
        'cat /phfs/data.csv',
        'cat ~/phfs/data.csv',
        'cat ~/team/v.txt "$PRIMEHUB_GROUP_VOLUME_PATH/v.txt"',
        'echo out > artifacts/a.txt',
        'echo scratch > /tmp/scratch.txt',
        // Of the data directory only the group's own volume and PHFS, at their host paths.
        `echo "datadir=$(ls -A ${JSON.stringify(root)} | tr "\\n" " ")"`,
        `cat ${JSON.stringify(join(root, 'volumes', 'team', 'v.txt'))}`,
        '(echo x > /usr/probe) 2>/dev/null && echo SYSTEM-WRITABLE',
        'echo "pwd=$(pwd)"'
      ].join('\n'),
      sandbox()
    );
    mkdirSync(l.phfs, { recursive: true });
    mkdirSync(l.volume, { recursive: true });
    writeFileSync(join(l.phfs, 'data.csv'), 'a,b\n1,2\n');
    writeFileSync(join(l.volume, 'v.txt'), 'volume\n');
    const { code, log } = await run(l);
    expect(log).toBe('a,b\n1,2\na,b\n1,2\nvolume\nvolume\ndatadir=phfs volumes \nvolume\npwd=/home/jovyan\n');
    expect(code).toBe(0);
    expect(readFileSync(join(l.home, 'artifacts', 'a.txt'), 'utf8')).toBe('out\n');
    expect(existsSync('/tmp/scratch.txt')).toBe(false);
  });

  test('no process outlives a sandboxed job, even one that left its process group', async () => {
    const l = launch('setsid sleep 300 & (sleep 300 &) ; echo started', sandbox());
    const { log } = await run(l);
    expect(log).toBe('started\n');
    const left = await living(l.jobId);
    expect(left).toEqual([]);
  });

  test('terminate: the command gets SIGTERM first (its trap runs), everything is gone after the grace', async () => {
    const l = launch(
      'trap "echo got TERM; exit 3" TERM; setsid sleep 300 & echo ready; while true; do sleep 0.1; done',
      sandbox()
    );
    await JobProcess.prepare(l);
    const p = JobProcess.start(l);
    const exit = new Promise<number | null>(resolve => p.once('exit', c => resolve(c)));
    await waitForLog(l.log, 'ready');
    p.terminate(5000);
    expect(await exit).toBe(3);
    expect(readFileSync(l.log, 'utf8')).toBe('ready\ngot TERM\n');
    expect(await living(l.jobId)).toEqual([]);
  });

  test('terminate of a command that ignores SIGTERM kills it after the grace', async () => {
    const l = launch('trap "" TERM; echo ready; while true; do sleep 0.1; done', sandbox());
    await JobProcess.prepare(l);
    const p = JobProcess.start(l);
    const exit = new Promise<NodeJS.Signals | null>(resolve => p.once('exit', (_c, s) => resolve(s)));
    await waitForLog(l.log, 'ready');
    const t0 = Date.now();
    p.terminate(300);
    expect(await exit).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await living(l.jobId)).toEqual([]);
  });
});

async function waitForLog(file: string, text: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) {
      return;
    }
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for "${text}" in ${file}`);
}

/** The job's live processes, after the kernel had a moment to tear a namespace down. */
async function living(jobId: string): Promise<number[]> {
  await new Promise(r => setTimeout(r, 200));
  return jobProcesses(jobId);
}
