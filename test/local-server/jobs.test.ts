import { LocalServerProcess } from '../kit/localServer';
import { jobProcesses, waitFor } from '../kit/wait';
import { fetchText, getJob, gql, gqlOk, submitJob, waitForJob } from '../kit/http';

/** Jobs as a user meets them: real processes, phases, logs, artifacts, cancel, deadlines, quotas. */
describe('PrimeHub Local jobs', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--cpus', '4'] });
  });

  afterAll(async () => {
    await server.dispose();
  });

  const submit = (data: Record<string, unknown>) =>
    submitJob(server.endpoint, server.token, { groupId: server.groupId, ...data });

  test('a job runs Pending → Running → Succeeded with its log, env and artifacts', async () => {
    const job = await submit({
      displayName: 'hello',
      command: [
        'echo "hello from $PHJOB_NAME"',
        'echo "user=$PRIMEHUB_USER group=$PRIMEHUB_GROUP"',
        'test -d "$PRIMEHUB_GROUP_VOLUME_PATH" && test -d "$PRIMEHUB_PHFS_PATH" && echo volumes-ok',
        'python -c "import papermill; print(\'papermill-ok\')"',
        'mkdir -p artifacts/sub && echo result > artifacts/out.txt && echo deep > artifacts/sub/deep.txt',
        'sleep 0.5'
      ].join('\n')
    });
    expect(job.id).toMatch(/^job-\d{12}-[a-z0-9]{6}$/);
    expect(job.phase).toBe('Pending');
    expect(job.logEndpoint).toBe(`${server.baseUrl}/api/logs/namespaces/hub/phjobs/${job.id}`);

    const running = await waitForJob(server.endpoint, server.token, job.id, ['Running', 'Succeeded']);
    expect(running.startTime).toBeTruthy();
    const done = await waitForJob(server.endpoint, server.token, job.id);
    expect(done).toMatchObject({
      phase: 'Succeeded',
      reason: 'PodSucceeded',
      message: 'Job completed',
      userName: 'phuser'
    });
    expect(Date.parse(done.finishTime)).toBeGreaterThanOrEqual(Date.parse(done.startTime));

    const log = await fetchText(`${job.logEndpoint}?follow=false`, server.token);
    expect(log.status).toBe(200);
    expect(log.text).toContain(`hello from ${job.id}`);
    expect(log.text).toContain(`user=phuser group=${server.groupName}`);
    expect(log.text).toContain('volumes-ok');
    expect(log.text).toContain('papermill-ok');
    expect(log.text).toMatch(/Artifacts: \(2 files \/ [\d.]+ MB\) uploaded/);

    expect(done.artifact.prefix).toBe(`groups/${server.groupName}/jobArtifacts/${job.id}`);
    expect(done.artifact.items.map((i: { name: string }) => i.name).sort()).toEqual(['out.txt', 'sub/deep.txt']);
    expect(done.artifact.items.find((i: { name: string }) => i.name === 'out.txt')).toMatchObject({ size: 7 });

    const file = await fetchText(
      `${server.baseUrl}/api/files/groups/${server.groupName}/jobArtifacts/${job.id}/out.txt`,
      server.token
    );
    expect(file).toEqual({ status: 200, text: 'result\n' });
    const expiry = await gqlOk(
      server.endpoint,
      server.token,
      'query ($w: StoreFileWhereInput!) { files(where: $w, options: { recursive: true }) { items { name } } }',
      {
        w: { groupName: server.groupName, phfsPrefix: `/jobArtifacts/${job.id}/.metadata/expiredAt` }
      }
    );
    expect(expiry.files.items).toEqual([{ name: '' }]);
  });

  test('a failing command ends Failed with its exit code; artifacts are still copied', async () => {
    const job = await submit({ command: 'mkdir -p artifacts; echo partial > artifacts/p.txt; echo boom >&2; exit 3' });
    const done = await waitForJob(server.endpoint, server.token, job.id);
    expect(done).toMatchObject({ phase: 'Failed', reason: 'PodFailed' });
    expect(done.message).toContain('exited with code 3');
    expect(done.artifact.items.map((i: { name: string }) => i.name)).toEqual(['p.txt']);
    expect((await fetchText(`${job.logEndpoint}?follow=false`, server.token)).text).toContain('boom');
  });

  test("a failed job's termination message (/dev/termination-log) is its message, as PrimeHub's controller makes it", async () => {
    const job = await submit({
      command: [
        // a link or a folder in its place is refused: the file is a mount point
        'ln -sf /etc/passwd /dev/termination-log 2>/dev/null; rm -f /dev/termination-log 2>/dev/null',
        'printf "cell 2 (x = 1 / 0): ZeroDivisionError: division by zero" > /dev/termination-log',
        'exit 1'
      ].join('\n')
    });
    const done = await waitForJob(server.endpoint, server.token, job.id);
    expect(done).toMatchObject({
      phase: 'Failed',
      reason: 'PodFailed',
      message: 'Job failed due to Error: cell 2 (x = 1 / 0): ZeroDivisionError: division by zero'
    });
    // as in Kubernetes, only the first 4096 bytes count, and a job that succeeds keeps 'Job completed'
    const long = await submit({ command: 'head -c 100000 /dev/zero | tr "\\0" x > /dev/termination-log; exit 2' });
    const cut = await waitForJob(server.endpoint, server.token, long.id);
    expect(cut.message).toBe(`Job failed due to Error: ${'x'.repeat(4096)}`);
    const ok = await submit({ command: 'echo fine > /dev/termination-log' });
    expect((await waitForJob(server.endpoint, server.token, ok.id)).message).toBe('Job completed');
  });

  test('cancel stops the whole process group at once', async () => {
    const job = await submit({ command: '(sleep 300; echo child-survived) & sleep 300' });
    await waitForJob(server.endpoint, server.token, job.id, ['Running']);
    const running = await getJob(server.endpoint, server.token, job.id);
    const res = await gqlOk(
      server.endpoint,
      server.token,
      'mutation ($w: PhJobWhereUniqueInput!) { cancelPhJob(where: $w) { id } }',
      {
        w: { id: job.id }
      }
    );
    expect(res.cancelPhJob).toEqual({ id: job.id });
    const after = await getJob(server.endpoint, server.token, job.id);
    expect(after.phase).toBe('Cancelled');
    expect(running.phase).toBe('Running');
    await waitFor('the job processes to end', () => jobProcesses(job.id).length === 0, 10_000);
    // The log follow ends once the cancelled job's log is closed.
    const log = await fetchText(`${job.logEndpoint}?follow=true`, server.token);
    expect(log.text).not.toContain('child-survived');
  });

  test('activeDeadlineSeconds kills a job that runs too long: Failed, DeadlineExceeded', async () => {
    const job = await submit({ command: 'echo started; sleep 60', activeDeadlineSeconds: 1 });
    expect(job).toMatchObject({ phase: 'Pending' });
    const done = await waitForJob(server.endpoint, server.token, job.id, undefined, 20_000);
    expect(done).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', activeDeadlineSeconds: 1 });
    expect(Date.parse(done.finishTime) - Date.parse(done.startTime)).toBeLessThan(10_000);
    await waitFor('the job processes to end', () => jobProcesses(job.id).length === 0, 10_000);
  });

  test("a job without a timeout gets its group's default timeout", async () => {
    server.cli('group', 'add', 'timeouts', '--job-timeout-seconds', '1');
    server.cli('user', 'add', 'hasty', '--group', 'timeouts');
    const token = server.cli('token', '--user', 'hasty');
    const me = await gqlOk(server.endpoint, token, '{ me { effectiveGroups { id jobDefaultActiveDeadlineSeconds } } }');
    const [group] = me.me.effectiveGroups;
    expect(group.jobDefaultActiveDeadlineSeconds).toBe(1);
    const job = await submitJob(server.endpoint, token, { groupId: group.id, command: 'sleep 60' });
    const done = await waitForJob(server.endpoint, token, job.id, undefined, 20_000);
    expect(done).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', activeDeadlineSeconds: null });
  });

  test('log endpoint follows a running job until it ends, and tails', async () => {
    const job = await submit({ command: 'for i in 1 2 3 4 5; do echo line-$i; sleep 0.2; done' });
    const followed = await fetchText(`${job.logEndpoint}?follow=true`, server.token);
    expect(followed.text.match(/line-\d/g)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
    const job2 = await getJob(server.endpoint, server.token, job.id);
    expect(job2.phase).toBe('Succeeded');
    const tail = await fetchText(`${job.logEndpoint}?follow=false&tailLines=2`, server.token);
    expect(tail.text.split('\n').filter(Boolean)).toEqual(['line-5', 'Artifacts: no artifact found']);
    const bad = await fetchText(`${job.logEndpoint}?tailLines=-1`, server.token);
    expect(bad.status).toBe(400);
  });

  test('rerun creates a new job with the same template but no deadline', async () => {
    const job = await submit({ displayName: 'again', command: 'echo rerun-me', activeDeadlineSeconds: 600 });
    await waitForJob(server.endpoint, server.token, job.id);
    const res = await gqlOk(
      server.endpoint,
      server.token,
      'mutation ($w: PhJobWhereUniqueInput!) { rerunPhJob(where: $w) { id displayName command activeDeadlineSeconds } }',
      {
        w: { id: job.id }
      }
    );
    expect(res.rerunPhJob.id).not.toBe(job.id);
    expect(res.rerunPhJob).toMatchObject({
      displayName: 'again',
      command: 'echo rerun-me',
      activeDeadlineSeconds: null
    });
    expect((await waitForJob(server.endpoint, server.token, res.rerunPhJob.id)).phase).toBe('Succeeded');
  });

  test('a GPU job stays Pending with a clear message and does not block its group', async () => {
    const gpu = await submit({ instanceType: 'gpu-1', command: 'echo never' });
    const cpu = await submit({ command: 'echo runs' });
    expect((await waitForJob(server.endpoint, server.token, cpu.id)).phase).toBe('Succeeded');
    const pending = await getJob(server.endpoint, server.token, gpu.id);
    expect(pending.phase).toBe('Pending');
    expect(pending.message).toMatch(/no GPU/);
    await gqlOk(
      server.endpoint,
      server.token,
      'mutation ($w: PhJobWhereUniqueInput!) { cancelPhJob(where: $w) { id } }',
      { w: { id: gpu.id } }
    );
    expect((await getJob(server.endpoint, server.token, gpu.id)).phase).toBe('Cancelled');
  });

  test('quotas: an instance type over a quota is refused; jobs beyond a busy quota wait FIFO', async () => {
    server.cli('group', 'add', 'quota_team', '--cpu-quota', '1', '--user-memory-quota', '4');
    server.cli('user', 'add', 'qa', '--group', 'quota_team');
    const token = server.cli('token', '--user', 'qa');
    const me = await gqlOk(
      server.endpoint,
      token,
      '{ me { effectiveGroups { id name projectQuotaCpu quotaMemory } } }'
    );
    const group = me.me.effectiveGroups[0];
    expect(group).toMatchObject({ name: 'quota_team', projectQuotaCpu: 1, quotaMemory: 4 });

    const refused = await gql(
      server.endpoint,
      token,
      'mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id } }',
      {
        data: { displayName: 'big', groupId: group.id, instanceType: 'cpu-2', image: 'base-notebook', command: 'true' }
      }
    );
    expect(refused.status).toBe(200);
    expect(refused.body.errors).toEqual([
      { message: 'Group Cpu Quota exceeded', extensions: { code: 'EXCEED_QUOTA' } }
    ]);
    expect(refused.body.data).toBeNull();

    const first = await submitJob(server.endpoint, token, { groupId: group.id, command: 'sleep 1.5' });
    const second = await submitJob(server.endpoint, token, { groupId: group.id, command: 'true' });
    await waitForJob(server.endpoint, token, first.id, ['Running']);
    const waiting = await getJob(server.endpoint, token, second.id);
    expect(waiting.phase).toBe('Pending');
    expect(waiting.message).toMatch(/group quota/);
    const secondDone = await waitForJob(server.endpoint, token, second.id);
    const firstDone = await getJob(server.endpoint, token, first.id);
    expect(secondDone.phase).toBe('Succeeded');
    expect(Date.parse(secondDone.startTime)).toBeGreaterThanOrEqual(Date.parse(firstDone.finishTime) - 5);
  });

  test("another group's jobs and logs are refused", async () => {
    const mine = await submit({ command: 'echo private' });
    await waitForJob(server.endpoint, server.token, mine.id);
    server.cli('group', 'add', 'other_team');
    server.cli('user', 'add', 'outsider', '--group', 'other_team');
    const token = server.cli('token', '--user', 'outsider');

    for (const [query, vars] of [
      ['query ($w: PhJobWhereUniqueInput!) { phJob(where: $w) { id } }', { w: { id: mine.id } }],
      ['mutation ($w: PhJobWhereUniqueInput!) { cancelPhJob(where: $w) { id } }', { w: { id: mine.id } }],
      ['mutation ($w: PhJobWhereUniqueInput!) { rerunPhJob(where: $w) { id } }', { w: { id: mine.id } }]
    ] as const) {
      const res = await gql(server.endpoint, token, query, vars);
      expect(res.body.errors).toEqual([{ message: 'user not auth', extensions: { code: 'NOT_AUTH' } }]);
    }
    const create = await gql(
      server.endpoint,
      token,
      'mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id } }',
      {
        data: {
          displayName: 'x',
          groupId: server.groupId,
          instanceType: 'cpu-1',
          image: 'base-notebook',
          command: 'true'
        }
      }
    );
    expect(create.body.errors?.[0].extensions.code).toBe('NOT_AUTH');
    const list = await gqlOk(server.endpoint, token, `{ phJobs(where: { groupId_in: ["${server.groupId}"] }) { id } }`);
    expect(list.phJobs).toEqual([]);
    // The log route makes the same check as GraphQL, with the same answers.
    const log = await fetchText(`${mine.logEndpoint}?follow=false`, token);
    expect(log.status).toBe(403);
    expect(log.text).not.toContain('private');
    expect(JSON.parse(log.text)).toEqual({ code: 'NOT_AUTH', message: 'user not auth' });
    const unknown = 'job-000000000000-nope00';
    const missing = await fetchText(`${server.baseUrl}/api/logs/namespaces/hub/phjobs/${unknown}`, token);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({
      code: 'RESOURCE_NOT_FOUND',
      message: `phjobs.primehub.io "${unknown}" not found`
    });
    const byGraphql = await gql(
      server.endpoint,
      token,
      'query ($w: PhJobWhereUniqueInput!) { phJob(where: $w) { id } }',
      {
        w: { id: unknown }
      }
    );
    expect(byGraphql.body.errors).toEqual([
      { message: `phjobs.primehub.io "${unknown}" not found`, extensions: { code: 'RESOURCE_NOT_FOUND' } }
    ]);
  });

  test('bad job input gets a clear error and creates nothing', async () => {
    const before = await gqlOk(
      server.endpoint,
      server.token,
      '{ phJobsConnection(page: 1) { pageInfo { totalPage } edges { cursor } } }'
    );
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ command: '' }, /command is required/],
      [{ instanceType: 'no-such-type', command: 'true' }, /instance type "no-such-type"/],
      [{ image: 'nope', command: 'true' }, /image "nope"/],
      [{ command: 'true', activeDeadlineSeconds: -5 }, /activeDeadlineSeconds/],
      [{ displayName: '', command: 'true' }, /displayName is required/]
    ];
    for (const [data, message] of cases) {
      const res = await gql(
        server.endpoint,
        server.token,
        'mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { id } }',
        {
          data: { displayName: 'bad', groupId: server.groupId, instanceType: 'cpu-1', image: 'base-notebook', ...data }
        }
      );
      expect(res.body.errors?.[0].message).toMatch(message);
      expect(res.body.errors?.[0].extensions.code).toBe('REQUEST_BODY_INVALID');
    }
    const after = await gqlOk(
      server.endpoint,
      server.token,
      '{ phJobsConnection(page: 1) { pageInfo { totalPage } edges { cursor } } }'
    );
    expect(after).toEqual(before);
  });

  test('commands with quotes, newlines and unicode run verbatim', async () => {
    const command = `printf '%s\\n' "it's \\"quoted\\" ; \\$(not run) \\\`nope\\\` ünïcödé 🚀"\necho second-line`;
    const job = await submit({ command });
    expect((await waitForJob(server.endpoint, server.token, job.id)).phase).toBe('Succeeded');
    const got = await getJob(server.endpoint, server.token, job.id);
    const log = await fetchText(`${job.logEndpoint}?follow=false`, server.token);
    expect(log.text).toContain('it\'s "quoted" ; $(not run) `nope` ünïcödé 🚀');
    expect(log.text).toContain('second-line');
    expect(got.id).toBe(job.id);
  });
});
