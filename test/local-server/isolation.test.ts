import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectLimits } from '../../packages/local-server/src/jobs/cgroupLimits';
import { ISOLATION_ENV, pythonMounts } from '../../packages/local-server/src/jobs/jobSandbox';
import { SECCOMP_PYTHON_ENV } from '../../packages/local-server/src/jobs/jobSeccomp';
import { requires } from '../../shared-client/src/testing/paths';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { fetchText, getJob, gqlOk, submitJob, waitForJob } from '../kit/http';
import { jobProcesses, waitFor } from '../kit/wait';

/** A job that leaves a loop behind, in its process group and (setsid) outside it, then ends. */
const LEAVES_LOOPS = [
  '(while true; do echo tick; sleep 0.5; done) &',
  'setsid bash -c "while true; do echo escaped; sleep 0.5; done" &',
  'sleep 3'
].join('\n');

/** How this machine enforces limits (cgroup v2 delegated, cgroup v1 as root, rlimit), in /api/health's words. */
const MECHANISM = detectLimits().mechanism;

/** What the sandbox's top level holds besides the pod's mounts: the read-only system, /proc, /dev and scratch. */
const SYSTEM_TOP = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'usr', 'etc', 'proc', 'dev', 'tmp', 'var'];

const CANCEL = 'mutation ($w: PhJobWhereUniqueInput!) { cancelPhJob(where: $w) { id } }';

async function health(server: LocalServerProcess): Promise<any> {
  const res = await fetch(`${server.baseUrl}/api/health`);
  expect(res.status).toBe(200);
  return res.json();
}

/** The job's log now, and again a second later: a log that grew means something of the job still runs. */
async function logStopsGrowing(server: LocalServerProcess, job: { logEndpoint: string }): Promise<string> {
  // the server's own last line (artifacts published) ends the job's log; it may come after the phase
  const first = await waitFor(
    "the server's artifacts line",
    async () => {
      const text = (await fetchText(`${job.logEndpoint}?follow=false`, server.token)).text;
      return /^Artifacts: /m.test(text) ? text : undefined;
    },
    30_000
  );
  // a window for a process the job left behind to write: the absence of growth has no event to wait on
  await new Promise(r => setTimeout(r, 1200));
  const second = (await fetchText(`${job.logEndpoint}?follow=false`, server.token)).text;
  expect(second).toBe(first);
  return second;
}

describe('jobs in the sandbox', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '4'] });
    const state = await health(server);
    requires(state.jobs.isolation === 'sandbox', `the bubblewrap job sandbox (${state.jobs.reason})`);
  });

  afterAll(async () => {
    await server.dispose();
  });

  const submit = (data: Record<string, unknown>, token = server.token, groupId = server.groupId) =>
    submitJob(server.endpoint, token, { groupId, ...data });
  const log = async (job: { logEndpoint: string }, token = server.token) =>
    (await fetchText(`${job.logEndpoint}?follow=false`, token)).text;

  test('/api/health says jobs are sandboxed and whether their limits are enforced', async () => {
    const state = await health(server);
    expect(state).toEqual({
      status: 'ok',
      server: 'primehub-local',
      console: false,
      jobs: expect.objectContaining({
        isolation: 'sandbox',
        uid: 1000,
        user: 'jovyan',
        capEff: '0000000000000000',
        capBnd: '0000000000000000',
        noNewPrivs: true,
        seccomp: true,
        mountRefused: true,
        limits: expect.objectContaining({ mechanism: MECHANISM })
      }),
      // the kit starts servers with --no-mlflow (test/local-server/mlflow.test.ts tests MLflow)
      mlflow: expect.objectContaining({ state: 'disabled' }),
      // the SSH bastion (test/ssh/bastion.test.ts tests it)
      ssh: expect.objectContaining({ state: 'running', user: 'limited-user' })
    });
    expect(server.output).not.toContain('NOT isolated');
  });

  test("another group's user reads, greps and writes nothing outside its own group; the API stays reachable", async () => {
    // User A's secret in phusers' PHFS.
    const put = await fetch(`${server.baseUrl}/api/files/groups/phusers/data/secret.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: 'A-secret'
    });
    expect(put.status).toBe(200);
    server.cli('group', 'add', 'teamb');
    server.cli('user', 'add', 'userb', '--group', 'teamb');
    const tokenB = server.cli('token', '--user', 'userb');
    const me = await gqlOk(server.endpoint, tokenB, '{ me { effectiveGroups { id name } } }');
    const teamb = me.me.effectiveGroups.find((g: { name: string }) => g.name === 'teamb');
    const job = await submit(
      {
        command: [
          'cat $PRIMEHUB_PHFS_PATH/../phusers/data/secret.txt',
          'grep api-token $HOME/../../../config.json',
          'echo x > $PRIMEHUB_PHFS_PATH/../phusers/data/from-b.txt',
          `cat ${join(server.dataDir, 'config.json')}`,
          `echo "groups=$(ls ${join(server.dataDir, 'phfs', 'groups')} | tr "\\n" " ")"`,
          `echo "volumes=$(ls ${join(server.dataDir, 'volumes')} | tr "\\n" " ")"`,
          `echo "datadir=$(ls -A ${server.dataDir} | tr "\\n" " ")"`,
          'echo "home=$HOME volume=$PRIMEHUB_GROUP_VOLUME_PATH phfs=$PRIMEHUB_PHFS_PATH"',
          'echo "shadow=$(cat /etc/shadow 2>/dev/null | wc -c)"',
          'echo "top=$(ls / | tr "\\n" " ")"',
          'echo "homes=$(ls -A /home) tmp=$(ls -A /tmp | wc -l)"',
          `curl -s -o /dev/null -w "api=%{http_code}\\n" ${server.baseUrl}/api/health`
        ].join('\n')
      },
      tokenB,
      teamb.id
    );
    await waitForJob(server.endpoint, tokenB, job.id);
    const text = await log(job, tokenB);
    expect(text).not.toContain('A-secret');
    expect(text).not.toContain(server.token);
    expect(text).not.toMatch(/"api-token"/);
    expect(existsSync(join(server.dataDir, 'phfs', 'groups', 'phusers', 'data', 'from-b.txt'))).toBe(false);
    expect(text).toContain('home=/home/jovyan volume=/project/teamb phfs=/home/jovyan/phfs');
    // The host's top level holds only the system, the pod's mounts and the folders leading to the
    // read-only virtualenv and its interpreter.
    const venvTops = pythonMounts(join(REPO_ROOT, '.venv'))
      .filter((_, i) => i % 3 === 1)
      .map(d => d.split('/')[1]);
    const top = /^top=(.*)$/m.exec(text)![1].trim().split(' ');
    const allowed = new Set([...SYSTEM_TOP, 'home', 'phfs', 'project', ...venvTops]);
    expect(top.filter(d => !allowed.has(d))).toEqual([]);
    expect(top).toEqual(expect.arrayContaining(['home', 'phfs', 'project', 'tmp', 'usr']));
    // The data directory holds only this group's volume and PHFS, at their host paths (as the host's
    // JupyterLab sees them); /tmp holds nothing else but the way to the virtualenv (a clone under /tmp).
    expect(text).toContain('groups=teamb \nvolumes=teamb \ndatadir=phfs volumes \n');
    const venvDirs = pythonMounts(join(REPO_ROOT, '.venv')).filter((_, i) => i % 3 === 1);
    const tmpEntries = new Set(
      [server.dataDir, ...venvDirs].filter(d => d.startsWith('/tmp/')).map(d => d.split('/')[2])
    ).size;
    expect(text).toContain(`homes=jovyan tmp=${tmpEntries}`);
    expect(text).toContain('shadow=0\n');
    expect(text).toContain('api=200');
  });

  test('user add on a machine that cannot sandbox (or with isolation turned off) needs --allow-unisolated-jobs', () => {
    for (const env of [
      {
        PATH: `${process.env.PATH?.split(':')
          .filter(d => !existsSync(join(d, 'bwrap')))
          .join(':')}`
      },
      { [ISOLATION_ENV]: 'none' }
    ]) {
      expect(() => server.cliWith(env, 'user', 'add', 'unsure', '--group', 'phusers')).toThrow(
        /jobs are not isolated here .*--allow-unisolated-jobs/s
      );
    }
    expect(
      server.cliWith(
        { [ISOLATION_ENV]: 'none' },
        'user',
        'add',
        'unsure',
        '--group',
        'phusers',
        '--allow-unisolated-jobs'
      )
    ).toBe('user unsure added to phusers');
  });

  test('a notebook-style script that reads /phfs/data.csv and writes its group volume runs unchanged', async () => {
    const phfs = join(server.dataDir, 'phfs', 'groups', 'phusers');
    mkdirSync(phfs, { recursive: true });
    writeFileSync(join(phfs, 'data.csv'), 'x,y\n1,2\n3,4\n');
    const job = await submit({
      command: [
        "python - <<'EOF'",
        'import csv, os',
        'rows = list(csv.DictReader(open("/phfs/data.csv")))',
        'total = sum(int(r["y"]) for r in rows)',
        'open(f"/project/{os.environ[\'PRIMEHUB_GROUP\']}/total.txt", "w").write(str(total))',
        'print("total", total, "same file:", open(os.path.expanduser("~/phfs/data.csv")).read() == open("/phfs/data.csv").read())',
        'EOF',
        'cat ~/phusers/total.txt; echo',
        // The host's JupyterLab submits notebooks by the group volume's host path: it resolves here too.
        `cd ${JSON.stringify(join(server.dataDir, 'volumes', 'phusers'))} && cat total.txt && echo " via host path"`
      ].join('\n')
    });
    const done = await waitForJob(server.endpoint, server.token, job.id);
    const text = await log(job);
    expect(text).toContain('total 6 same file: True\n6\n6 via host path\n');
    expect(done.phase).toBe('Succeeded');
    expect(readFileSync(join(server.dataDir, 'volumes', 'phusers', 'total.txt'), 'utf8')).toBe('6');
  });

  test('no process outlives a job that ends normally, even one that left its process group', async () => {
    const job = await submit({ command: LEAVES_LOOPS });
    await waitForJob(server.endpoint, server.token, job.id, ['Running']);
    await waitFor('the loops to start', () => jobProcesses(job.id).length >= 3, 10_000);
    const done = await waitForJob(server.endpoint, server.token, job.id);
    expect(done.phase).toBe('Succeeded');
    await waitFor('every process of the job to end', () => jobProcesses(job.id).length === 0, 3000);
    await logStopsGrowing(server, job);
  });

  test('no process outlives a cancelled job', async () => {
    const job = await submit({ command: `${LEAVES_LOOPS}\nsleep 300` });
    await waitForJob(server.endpoint, server.token, job.id, ['Running']);
    await waitFor('the loops to start', () => jobProcesses(job.id).length >= 3, 10_000);
    await gqlOk(server.endpoint, server.token, CANCEL, { w: { id: job.id } });
    await waitFor('every process of the job to end', () => jobProcesses(job.id).length === 0, 8000);
    expect((await getJob(server.endpoint, server.token, job.id)).phase).toBe('Cancelled');
    await logStopsGrowing(server, job);
  });

  test('no process outlives a job past its deadline', async () => {
    const job = await submit({ command: `${LEAVES_LOOPS}\nsleep 300`, activeDeadlineSeconds: 2 });
    const done = await waitForJob(server.endpoint, server.token, job.id, undefined, 20_000);
    expect(done).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    await waitFor('every process of the job to end', () => jobProcesses(job.id).length === 0, 3000);
    await logStopsGrowing(server, job);
  });

  test("deadlines past the timer limit (2,147,484 s and 2^31 - 1 s, a job's or its group's) hold", async () => {
    const past = await submit({ command: 'echo started; sleep 300', activeDeadlineSeconds: 2_147_484 });
    const largest = await submit({ command: 'echo started; sleep 300', activeDeadlineSeconds: 2 ** 31 - 1 });
    server.cli('group', 'add', 'patient', '--job-timeout-seconds', '2147484');
    server.cli('user', 'add', 'calm', '--group', 'patient');
    const token = server.cli('token', '--user', 'calm');
    const me = await gqlOk(server.endpoint, token, '{ me { effectiveGroups { id name } } }');
    const patient = me.me.effectiveGroups.find((g: { name: string }) => g.name === 'patient');
    const byGroup = await submitJob(server.endpoint, token, {
      groupId: patient.id,
      command: 'echo started; sleep 300'
    });
    for (const [job, t] of [
      [past, server.token],
      [largest, server.token],
      [byGroup, token]
    ] as const) {
      await waitForJob(server.endpoint, t, job.id, ['Running']);
    }
    await new Promise(r => setTimeout(r, 3000));
    for (const [job, t] of [
      [past, server.token],
      [largest, server.token],
      [byGroup, token]
    ] as const) {
      expect((await getJob(server.endpoint, t, job.id)).phase).toBe('Running');
      await gqlOk(server.endpoint, t, CANCEL, { w: { id: job.id } });
    }
    expect(server.output).not.toContain('TimeoutOverflowWarning');
  });

  test('output without a final newline is not glued to the Artifacts line', async () => {
    const job = await submit({ command: 'printf "progress 100%%"' });
    await waitForJob(server.endpoint, server.token, job.id);
    expect(await log(job)).toBe('progress 100%\nArtifacts: no artifact found\n');
  });
});

describe('jobs in the sandbox when the server dies', () => {
  test('after kill -9 of the server no process of its jobs is left, and none after the restart', async () => {
    const server = await LocalServerProcess.start({ args: ['--cpus', '2'] });
    try {
      const job = await submitJob(server.endpoint, server.token, {
        groupId: server.groupId,
        command: `${LEAVES_LOOPS}\nsleep 300`
      });
      await waitForJob(server.endpoint, server.token, job.id, ['Running']);
      await waitFor('the loops to start', () => jobProcesses(job.id).length >= 3, 10_000);
      await server.kill9();
      await waitFor('every process of the job to end with the server', () => jobProcesses(job.id).length === 0, 3000);
      await server.launch();
      const after = await waitForJob(server.endpoint, server.token, job.id);
      expect(after).toMatchObject({ phase: 'Failed', reason: 'ServerRestarted' });
      expect(jobProcesses(job.id)).toEqual([]);
      const text = await logStopsGrowing(server, job);
      expect(text).toMatch(/PrimeHub Local restarted while the job was running; the job was stopped\nArtifacts: /);
    } finally {
      await server.dispose();
    }
  });
});

describe('where the sandbox cannot run', () => {
  // No bwrap on PATH (the server itself is started by absolute path).
  const NO_BWRAP = { PATH: '/nonexistent' };

  test('auto: PrimeHub Local starts, says jobs are not isolated and why', async () => {
    const server = await LocalServerProcess.start({ env: NO_BWRAP });
    try {
      expect(server.output).toMatch(/WARN jobs are NOT isolated: .*bubblewrap \(bwrap\) is not installed/);
      expect((await health(server)).jobs).toMatchObject({
        isolation: 'none',
        reason: expect.stringContaining('bubblewrap (bwrap) is not installed: install the Debian package bubblewrap')
      });
    } finally {
      await server.dispose();
    }
  });

  test('--job-isolation sandbox: PrimeHub Local does not start, and says why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'phl-test-'));
    try {
      await expect(
        LocalServerProcess.start({ dataDir, args: ['--job-isolation', 'sandbox'], env: NO_BWRAP })
      ).rejects.toThrow(
        /exited with 1:\n.*primehub-local: jobs cannot run in a sandbox: bubblewrap \(bwrap\) is not installed/s
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('where python3-seccomp is missing', () => {
  // The virtualenv's interpreter has no `seccomp` module, as a machine without python3-seccomp.
  const NO_SECCOMP = { [SECCOMP_PYTHON_ENV]: join(REPO_ROOT, '.venv', 'bin', 'python') };
  const APT = 'install the Debian package python3-seccomp: sudo apt-get install -y python3-seccomp';

  test('--job-isolation sandbox: PrimeHub Local does not start, and names the package', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'phl-test-'));
    try {
      await expect(
        LocalServerProcess.start({ dataDir, args: ['--job-isolation', 'sandbox'], env: NO_SECCOMP })
      ).rejects.toThrow(
        `primehub-local: jobs cannot run in a sandbox: python3-seccomp is not installed, so jobs get no seccomp filter: ${APT}`
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('auto: jobs run sandboxed without the filter, and /api/health says they are not safe', async () => {
    const server = await LocalServerProcess.start({ env: NO_SECCOMP });
    try {
      expect(server.output).toMatch(/WARN jobs are NOT fully isolated: python3-seccomp is not installed/);
      expect((await health(server)).jobs).toMatchObject({
        isolation: 'partial',
        capEff: '0000000000000000',
        seccomp: false,
        reason: expect.stringContaining(APT)
      });
    } finally {
      await server.dispose();
    }
  });
});

describe('jobs without a sandbox', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--job-isolation', 'none'] });
  });

  afterAll(async () => {
    await server.dispose();
  });

  test('PrimeHub Local says so at start and in /api/health; jobs still run, with the host paths', async () => {
    expect(server.output).toMatch(/WARN jobs are NOT isolated: they can read and write every group's files/);
    const state = await health(server);
    expect(state).toEqual({
      status: 'ok',
      server: 'primehub-local',
      console: false,
      jobs: expect.objectContaining({
        isolation: 'none',
        limits: expect.objectContaining({ mechanism: MECHANISM }),
        reason: expect.stringContaining('job isolation is turned off')
      }),
      mlflow: expect.objectContaining({ state: 'disabled' }),
      ssh: expect.objectContaining({ state: 'running', user: 'limited-user' })
    });
    const job = await submitJob(server.endpoint, server.token, {
      groupId: server.groupId,
      command: 'echo "phfs=$PRIMEHUB_PHFS_PATH"; test -d "$PRIMEHUB_PHFS_PATH" && echo phfs-ok'
    });
    expect((await waitForJob(server.endpoint, server.token, job.id)).phase).toBe('Succeeded');
    const text = (await fetchText(`${job.logEndpoint}?follow=false`, server.token)).text;
    expect(text).toContain(`phfs=${join(server.dataDir, 'jobs', job.id, 'home', 'phfs')}`);
    expect(text).toContain('phfs-ok');
  });

  test('a second user needs --allow-unisolated-jobs, whose name says jobs are not isolated', () => {
    // The data directory's server runs jobs unisolated: the flag is needed even where bwrap would work.
    expect(() => server.cli('user', 'add', 'second', '--group', 'phusers')).toThrow(
      /jobs are not isolated here .*every user's jobs could read and write every group's files.*--allow-unisolated-jobs/s
    );
    expect(server.cli('user', 'add', 'second', '--group', 'phusers', '--allow-unisolated-jobs')).toBe(
      'user second added to phusers'
    );
  });

  test('after kill -9 the restarted server kills what is left of a job that was running', async () => {
    const job = await submitJob(server.endpoint, server.token, {
      groupId: server.groupId,
      command: '(while true; do echo tick; sleep 0.5; done) & sleep 300'
    });
    await waitForJob(server.endpoint, server.token, job.id, ['Running']);
    await waitFor('the loop to start', () => jobProcesses(job.id).length >= 2, 10_000);
    await server.kill9();
    // Without a sandbox the crash leaves the job's process group behind, still running.
    expect(jobProcesses(job.id).length).toBeGreaterThan(0);
    await server.launch();
    await waitFor('the orphaned job processes to be killed', () => jobProcesses(job.id).length === 0, 10_000);
    expect(await waitForJob(server.endpoint, server.token, job.id)).toMatchObject({ reason: 'ServerRestarted' });
  });
});
