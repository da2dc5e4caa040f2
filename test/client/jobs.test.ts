import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PrimeHubClient, TimeoutError, type Job, type JobPhase } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { waitFor } from '../kit/wait';
import { clientFor, collect, removeDir, tempDir, tree, unique } from './support';

const spec = (displayName: string, command: string) => ({
  displayName,
  instanceType: 'cpu-1',
  image: 'base-notebook',
  command
});

/** Jobs through the client as a user runs them: submit, list, page, wait, cancel, rerun, artifacts. */
describe('client: jobs', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let work: string;

  beforeAll(async () => {
    // enough slots that a dozen short jobs do not queue behind each other for long
    server = await LocalServerProcess.start({ args: ['--cpus', '8', '--memory-gb', '16'] });
    client = await clientFor(server);
    work = tempDir('jobs');
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
    removeDir(work);
  });

  test('submit, get and wait: onPhase sees Running then Succeeded', async () => {
    const name = unique('hello');
    const job = await client.jobs.submit({
      ...spec(name, 'echo "hello from $PHJOB_NAME in $PRIMEHUB_GROUP"; sleep 1'),
      activeDeadlineSeconds: 600
    });
    expect(job).toMatchObject({
      displayName: name,
      groupId: server.groupId,
      groupName: server.groupName,
      userName: 'phuser',
      image: 'base-notebook',
      instanceType: { name: 'cpu-1', cpuLimit: 1 },
      activeDeadlineSeconds: 600
    });
    expect(job.logEndpoint).toBe(`${server.baseUrl}/api/logs/namespaces/hub/phjobs/${job.id}`);
    expect(job.id).toMatch(/^job-\d{12}-[a-z0-9]{6}$/);
    expect(['Pending', 'Preparing', 'Running']).toContain(job.phase);
    expect(await client.jobs.get(job.id)).toMatchObject({ id: job.id, displayName: name });

    const phases: JobPhase[] = [];
    const done = await client.jobs.wait(job.id, { intervalMs: 50, onPhase: p => phases.push(p) });
    expect(done).toMatchObject({ id: job.id, phase: 'Succeeded', reason: 'PodSucceeded', message: 'Job completed' });
    expect(phases[phases.length - 1]).toBe('Succeeded');
    expect(phases).toContain('Running');
    expect(phases.indexOf('Running')).toBeLessThan(phases.indexOf('Succeeded'));
    // each change is reported once
    expect(new Set(phases).size).toBe(phases.length);
    expect(Date.parse(done.finishTime!)).toBeGreaterThanOrEqual(Date.parse(done.startTime!));
    // get (and so wait) carries the artifacts folder
    expect(done.artifact).toEqual({ prefix: expect.stringContaining(`jobArtifacts/${job.id}`), items: [] });
    expect(await collect(client.jobs.logs(job.id))).toContain(`hello from ${job.id} in ${server.groupName}`);
  });

  test('a failing job ends Failed with its exit code', async () => {
    const job = await client.jobs.submit(spec(unique('fail'), 'echo about to fail >&2; exit 7'));
    const done = await client.jobs.wait(job.id, { intervalMs: 50 });
    expect(done).toMatchObject({ phase: 'Failed', reason: 'PodFailed' });
    expect(done.message).toContain('exited with code 7');
    expect(await collect(client.jobs.logs(job.id))).toContain('about to fail');
  });

  test('wait gives up with a TimeoutError, and stops at once on an abort with the caller reason', async () => {
    const job = await client.jobs.submit(spec(unique('long'), 'sleep 60'));
    const t0 = Date.now();
    const err = await client.jobs.wait(job.id, { timeoutMs: 400, intervalMs: 50 }).catch(e => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(new RegExp(`${job.id} is still (Pending|Preparing|Running)`));
    expect(Date.now() - t0).toBeLessThan(3_000);

    const ac = new AbortController();
    const reason = new Error('user closed the panel');
    setTimeout(() => ac.abort(reason), 300);
    const t1 = Date.now();
    await expect(client.jobs.wait(job.id, { signal: ac.signal, intervalMs: 5_000 })).rejects.toBe(reason);
    expect(Date.now() - t1).toBeLessThan(2_000);
    // an already aborted signal never sends a request
    await expect(client.jobs.wait(job.id, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);

    const cancelled = await client.jobs.cancel(job.id);
    expect(cancelled).toMatchObject({ id: job.id, phase: 'Cancelled', cancel: true });
    expect((await client.jobs.wait(job.id)).phase).toBe('Cancelled');
  });

  test('cancel stops a running job; rerun submits a copy with a new id', async () => {
    const name = unique('rerun');
    const job = await client.jobs.submit({
      ...spec(name, 'echo run-$PHJOB_NAME; sleep 60'),
      activeDeadlineSeconds: 900
    });
    await waitForPhase(client, job.id, 'Running');
    const cancelled = await client.jobs.cancel(job.id);
    expect(cancelled.phase).toBe('Cancelled');
    expect(cancelled.finishTime).toBeTruthy();

    const again = await client.jobs.rerun(job.id);
    expect(again.id).not.toBe(job.id);
    expect(again).toMatchObject({
      displayName: name,
      command: job.command,
      image: job.image,
      groupId: server.groupId,
      instanceType: { name: 'cpu-1' }
    });
    await waitForPhase(client, again.id, 'Running');
    // Running means the job's sandbox started; its command prints a moment later.
    await waitFor('the rerun to print its line', async () =>
      (await collect(client.jobs.logs(again.id))).includes(`run-${again.id}`)
    );
    await client.jobs.cancel(again.id);
    const lines = await collect(client.jobs.logs(again.id));
    expect(lines).toContain(`run-${again.id}`);
    expect(lines).not.toContain(`run-${job.id}`);
  });

  test('iterate neither repeats nor skips jobs while new jobs are submitted during the iteration', async () => {
    const prefix = unique('live');
    const before: string[] = [];
    for (let i = 0; i < 12; i++) {
      before.push((await client.jobs.submit(spec(`${prefix}-a${i}`, 'true'))).id);
    }
    const seen: string[] = [];
    const during: string[] = [];
    for await (const j of client.jobs.iterate({ search: prefix, pageSize: 5 })) {
      seen.push(j.id);
      if (seen.length % 5 === 0 && during.length < 6) {
        // newest first: these land ahead of the cursor, and numbered pages would shift by 3
        for (let k = 0; k < 3; k++) {
          during.push((await client.jobs.submit(spec(`${prefix}-b${during.length}`, 'true'))).id);
        }
      }
    }
    expect(during.length).toBe(6);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...before].reverse());
    await Promise.all([...before, ...during].map(id => client.jobs.wait(id, { timeoutMs: 60_000 })));
  });

  test('list pages by 10 and iterate walks every page of more than 10 jobs', async () => {
    const prefix = unique('many');
    const submitted: Job[] = [];
    for (let i = 0; i < 13; i++) {
      submitted.push(await client.jobs.submit(spec(`${prefix}-${i}`, `echo ${i}`)));
    }
    const ids = submitted.map(j => j.id);

    const page1 = await client.jobs.list({ search: prefix });
    expect(page1).toMatchObject({ currentPage: 1, totalPage: 2 });
    expect(page1.items).toHaveLength(10);
    const page2 = await client.jobs.list({ search: prefix, page: 2 });
    expect(page2).toMatchObject({ currentPage: 2, totalPage: 2 });
    expect(page2.items).toHaveLength(3);
    expect((await client.jobs.list({ search: prefix, page: 3 })).items).toEqual([]);
    // newest first by default: the first submitted job is last
    const listed = [...page1.items, ...page2.items].map(j => j.id);
    expect(new Set(listed)).toEqual(new Set(ids));
    expect(listed[listed.length - 1]).toBe(ids[0]);

    const iterated = await collect(client.jobs.iterate({ search: prefix }));
    expect(iterated.map(j => j.id)).toEqual(listed);
    const ascending = await collect(client.jobs.iterate({ search: prefix, orderBy: { displayName: 'asc' } }));
    expect(ascending.map(j => j.displayName)).toEqual(submitted.map(j => j.displayName).sort());
    expect((await collect(client.jobs.iterate({ displayNameContains: `${prefix}-1`, mine: true }))).length).toBe(4);

    // every one of them runs to completion
    const done = await Promise.all(ids.map(id => client.jobs.wait(id, { timeoutMs: 60_000 })));
    expect(done.map(j => j.phase)).toEqual(ids.map(() => 'Succeeded'));
  });

  test('artifacts: list, download one, download the whole tree', async () => {
    const job = await client.jobs.submit(
      spec(
        unique('artifacts'),
        [
          'mkdir -p artifacts/sub/deeper',
          'echo result > artifacts/out.txt',
          'printf "a,b\\n1,2\\n" > artifacts/sub/table.csv',
          'head -c 300000 /dev/urandom > artifacts/sub/deeper/blob.bin',
          'cp artifacts/sub/deeper/blob.bin "$PRIMEHUB_PHFS_PATH/blob-copy.bin"'
        ].join('\n')
      )
    );
    expect((await client.jobs.wait(job.id)).phase).toBe('Succeeded');

    const items = await client.jobs.artifacts(job.id);
    expect(items.map(i => i.name).sort()).toEqual(['out.txt', 'sub/deeper/blob.bin', 'sub/table.csv']);
    expect(items.find(i => i.name === 'out.txt')).toMatchObject({ size: 7 });
    expect(items.find(i => i.name === 'sub/deeper/blob.bin')).toMatchObject({ size: 300_000 });
    expect(items.every(i => i.lastModified && !Number.isNaN(Date.parse(i.lastModified)))).toBe(true);

    const one = await client.jobs.downloadArtifact(job.id, 'out.txt');
    expect(one.size).toBe(7);
    expect(Buffer.concat(await collect(one.body)).toString()).toBe('result\n');
    expect(client.jobs.artifactPath(job.id, 'sub/table.csv')).toBe(`/jobArtifacts/${job.id}/sub/table.csv`);

    const dest = join(work, 'artifacts');
    const written = await client.jobs.downloadArtifacts(job.id, dest);
    expect(tree(dest)).toEqual(['out.txt', 'sub/deeper/blob.bin', 'sub/table.csv']);
    expect(written.map(p => relative(dest, p)).sort()).toEqual(tree(dest));
    expect(readFileSync(join(dest, 'sub', 'table.csv'), 'utf8')).toBe('a,b\n1,2\n');
    // the job also copied the blob to PHFS: same bytes both ways
    const copy = join(work, 'blob-copy.bin');
    await client.files.downloadFile('/blob-copy.bin', copy);
    expect(readFileSync(join(dest, 'sub', 'deeper', 'blob.bin')).equals(readFileSync(copy))).toBe(true);
  });
});

/** Polls (through the client) until the job reaches `phase`. */
async function waitForPhase(client: PrimeHubClient, id: string, phase: JobPhase): Promise<void> {
  const until = Date.now() + 30_000;
  while ((await client.jobs.get(id)).phase !== phase) {
    if (Date.now() > until) {
      throw new Error(`job ${id} never reached ${phase}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}
