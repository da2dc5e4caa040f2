import { createHash, randomBytes } from 'node:crypto';
import { LocalServerProcess } from '../kit/localServer';
import { jobProcesses, waitFor } from '../kit/wait';
import { fetchText, getJob, submitJob, waitForJob } from '../kit/http';

const MB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A job that writes two artifacts at once, then numbered log lines, slowly. */
const LONG_JOB = [
  'mkdir -p artifacts/sub',
  'echo artifact-1 > artifacts/a.txt',
  'echo nested > artifacts/sub/b.txt',
  'for i in $(seq 1 1200); do echo "line $i"; sleep 0.05; done'
].join('\n');

/** The numbered lines of a log, checked to be 1..n without gaps. */
function numberedLines(log: string): number {
  const nums = log
    .split('\n')
    .filter(l => /^line \d+$/.test(l))
    .map(l => Number(l.slice(5)));
  nums.forEach((n, i) => expect(n).toBe(i + 1));
  return nums.length;
}

interface Fixture {
  fileSha: string;
}

describe('PrimeHub Local restart', () => {
  let server: LocalServerProcess;

  beforeEach(async () => {
    // One CPU: a second cpu-1 job waits for the slot.
    server = await LocalServerProcess.start({ args: ['--cpus', '1'] });
  });

  afterEach(async () => {
    await server.dispose();
  });

  const submit = (displayName: string, command: string) =>
    submitJob(server.endpoint, server.token, { groupId: server.groupId, displayName, command });
  const log = async (job: { logEndpoint: string }): Promise<string> => {
    const res = await fetchText(`${job.logEndpoint}?follow=false`, server.token);
    expect(res.status).toBe(200);
    return res.text;
  };
  const file = async (path: string): Promise<{ status: number; body: Buffer }> => {
    const res = await fetch(`${server.baseUrl}/api/files/groups/phusers/${path}`, {
      headers: { authorization: `Bearer ${server.token}` }
    });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };
  const artifactState = async (jobId: string) => {
    const job = await getJob(server.endpoint, server.token, jobId);
    const expiredAt = await file(`jobArtifacts/${jobId}/.metadata/expiredAt`);
    expect(expiredAt.status).toBe(200);
    // Unix seconds, as PrimeHub's artifact cleaner reads it.
    expect(expiredAt.body.toString()).toMatch(/^\d{10}$/);
    return { items: job.artifact.items, expiredAt: expiredAt.body.toString() };
  };

  async function uploadFixture(): Promise<Fixture> {
    const data = randomBytes(3 * MB);
    const res = await fetch(`${server.baseUrl}/api/files/groups/phusers/keep/data.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: data
    });
    expect(res.status).toBe(200);
    return { fileSha: sha256(data) };
  }

  /** Starts the long job and waits until it is running with some lines in its log. */
  async function startLongJob(name: string) {
    const job = await submit(name, LONG_JOB);
    await waitForJob(server.endpoint, server.token, job.id, ['Running']);
    await waitFor('log lines', async () => numberedLines(await log(job)) >= 15, 20_000);
    expect(jobProcesses(job.id).length).toBeGreaterThan(0);
    return job;
  }

  test('after kill -9 mid-job and a restart, no record, log line, file or artifact is lost', async () => {
    const fixture = await uploadFixture();

    // A job that finished before the crash.
    const finished = await submit(
      'finished-before',
      'mkdir -p artifacts && echo done > artifacts/f.txt && echo finished-ok'
    );
    const finishedBefore = await waitForJob(server.endpoint, server.token, finished.id);
    expect(finishedBefore.phase).toBe('Succeeded');
    const finishedArtifacts = await artifactState(finished.id);
    expect(finishedArtifacts.items.map((i: { name: string }) => i.name)).toEqual(['f.txt']);
    const finishedLog = await log(finished);

    // A job running at the crash, and one queued behind it.
    const running = await startLongJob('running-at-crash');
    const pending = await submit('pending-at-crash', 'echo pending-ran');
    const queued = await waitFor(
      'the second job to wait for the slot',
      async () => {
        const j = await getJob(server.endpoint, server.token, pending.id);
        return j.message?.startsWith('Waiting for a free slot') ? j : undefined;
      },
      20_000
    );
    expect(queued.phase).toBe('Pending');
    // And one that can never run on this one-CPU machine: it must stay Pending, with its reason.
    const tooBig = await submitJob(server.endpoint, server.token, {
      groupId: server.groupId,
      displayName: 'too-big',
      instanceType: 'cpu-2',
      command: 'echo never'
    });
    const tooBigBefore = await waitFor(
      'the cpu-2 job to be marked unschedulable',
      async () => {
        const j = await getJob(server.endpoint, server.token, tooBig.id);
        return j.reason === 'Unschedulable' ? j : undefined;
      },
      20_000
    );
    expect(tooBigBefore).toMatchObject({
      phase: 'Pending',
      message: 'instance type cpu-2 needs more CPU or memory than this machine offers'
    });

    const logBefore = await log(running);
    const linesBefore = numberedLines(logBefore);
    const crashedAt = Date.now();
    await server.kill9();
    // The job's sandbox (its PID namespace) dies with the server: nothing of it is left running.
    await waitFor('the job processes to end with the server', () => jobProcesses(running.id).length === 0, 5000);

    await server.launch();

    const failed = await getJob(server.endpoint, server.token, running.id);
    expect(failed).toMatchObject({
      displayName: 'running-at-crash',
      phase: 'Failed',
      reason: 'ServerRestarted',
      message: 'PrimeHub Local restarted while the job was running; the job was stopped'
    });
    expect(Date.parse(failed.finishTime)).toBeGreaterThanOrEqual(crashedAt);

    // Every line written before the crash is still served, in order, followed by the server's notes.
    const logAfter = await log(running);
    expect(logAfter.startsWith(logBefore)).toBe(true);
    expect(numberedLines(logAfter)).toBeGreaterThanOrEqual(linesBefore);
    expect(logAfter.match(/^Artifacts: /gm)).toHaveLength(1);
    expect(logAfter).toMatch(
      /\nPrimeHub Local restarted while the job was running; the job was stopped\nArtifacts: \(2 files \/ 0\.00 MB\) uploaded\n$/
    );
    expect((await fetchText(`${running.logEndpoint}?follow=true`, server.token)).text).toBe(logAfter);
    expect((await fetchText(`${running.logEndpoint}?follow=false&tailLines=2`, server.token)).text).toBe(
      'PrimeHub Local restarted while the job was running; the job was stopped\nArtifacts: (2 files / 0.00 MB) uploaded\n'
    );

    // Its artifacts were copied, once.
    const runningArtifacts = await artifactState(running.id);
    expect(runningArtifacts.items.map((i: { name: string; size: number }) => [i.name, i.size])).toEqual([
      ['a.txt', 11],
      ['sub/b.txt', 7]
    ]);
    expect((await file(`jobArtifacts/${running.id}/a.txt`)).body.toString()).toBe('artifact-1\n');
    const expiry = Number(runningArtifacts.expiredAt);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(crashedAt / 1000) + 7 * 24 * 3600);
    expect(expiry).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 7 * 24 * 3600);

    // The job that finished before the crash is as it was.
    const finishedAfter = await getJob(server.endpoint, server.token, finished.id);
    expect(finishedAfter).toMatchObject({
      phase: 'Succeeded',
      reason: finishedBefore.reason,
      message: finishedBefore.message,
      finishTime: finishedBefore.finishTime
    });
    expect(await artifactState(finished.id)).toEqual(finishedArtifacts);
    expect(await log(finished)).toBe(finishedLog);

    // The queued job was kept and runs now that the slot is free.
    const ran = await waitForJob(
      server.endpoint,
      server.token,
      pending.id,
      ['Succeeded', 'Failed', 'Cancelled'],
      30_000
    );
    expect(ran.phase).toBe('Succeeded');
    expect(Date.parse(ran.startTime)).toBeGreaterThanOrEqual(crashedAt);
    expect(await log(ran)).toContain('pending-ran\n');

    expect(await getJob(server.endpoint, server.token, tooBig.id)).toMatchObject({
      phase: 'Pending',
      reason: 'Unschedulable',
      message: tooBigBefore.message,
      startTime: null
    });

    // Files uploaded before the crash are intact.
    const kept = await file('keep/data.bin');
    expect(kept.status).toBe(200);
    expect(sha256(kept.body)).toBe(fixture.fileSha);

    // A second crash and restart changes nothing: no second copy, same expiry, same log.
    await server.kill9();
    await server.launch();
    expect(await artifactState(running.id)).toEqual(runningArtifacts);
    expect(await artifactState(finished.id)).toEqual(finishedArtifacts);
    expect(await log(running)).toBe(logAfter);
    expect(await getJob(server.endpoint, server.token, running.id)).toMatchObject({
      phase: 'Failed',
      reason: 'ServerRestarted',
      finishTime: failed.finishTime
    });
    expect(await getJob(server.endpoint, server.token, pending.id)).toMatchObject({
      phase: 'Succeeded',
      finishTime: ran.finishTime
    });
    expect(await getJob(server.endpoint, server.token, tooBig.id)).toMatchObject({
      phase: 'Pending',
      createTime: tooBigBefore.createTime
    });
    expect(sha256((await file('keep/data.bin')).body)).toBe(fixture.fileSha);
  });

  test('a graceful stop (SIGTERM) stops running jobs as ServerShutdown, exits 0 and keeps everything', async () => {
    const fixture = await uploadFixture();
    const running = await startLongJob('running-at-stop');
    const pending = await submit('pending-at-stop', 'echo pending-ran');
    await waitFor(
      'the second job to wait for the slot',
      async () => {
        const j = await getJob(server.endpoint, server.token, pending.id);
        return j.message?.startsWith('Waiting for a free slot') ? j : undefined;
      },
      20_000
    );
    const logBefore = await log(running);
    const stoppedAt = Date.now();

    expect(await server.stop()).toBe(0);
    // The server stopped the job's processes (none is left once they have finished dying).
    await waitFor('the job processes to end', () => jobProcesses(running.id).length === 0, 3000);

    await server.launch();
    const stopped = await getJob(server.endpoint, server.token, running.id);
    expect(stopped).toMatchObject({
      phase: 'Failed',
      reason: 'ServerShutdown',
      message: 'PrimeHub Local stopped while the job was running; the job was stopped'
    });
    expect(Date.parse(stopped.finishTime)).toBeGreaterThanOrEqual(stoppedAt);
    const logAfter = await log(running);
    expect(logAfter.startsWith(logBefore)).toBe(true);
    numberedLines(logAfter);
    expect(logAfter).toMatch(
      /\nPrimeHub Local stopped while the job was running; the job was stopped\nArtifacts: \(2 files \/ 0\.00 MB\) uploaded\n$/
    );
    const artifacts = await artifactState(running.id);
    expect(artifacts.items.map((i: { name: string }) => i.name)).toEqual(['a.txt', 'sub/b.txt']);

    // The queued job survived the stop and runs after the start.
    const ran = await waitForJob(
      server.endpoint,
      server.token,
      pending.id,
      ['Succeeded', 'Failed', 'Cancelled'],
      30_000
    );
    expect(ran.phase).toBe('Succeeded');
    expect(Date.parse(ran.startTime)).toBeGreaterThanOrEqual(stoppedAt);

    expect(sha256((await file('keep/data.bin')).body)).toBe(fixture.fileSha);

    // Another stop and start changes nothing.
    expect(await server.stop()).toBe(0);
    await server.launch();
    expect(await artifactState(running.id)).toEqual(artifacts);
    expect(await log(running)).toBe(logAfter);
    expect(await getJob(server.endpoint, server.token, running.id)).toMatchObject({
      phase: 'Failed',
      reason: 'ServerShutdown',
      finishTime: stopped.finishTime
    });
  });
});
