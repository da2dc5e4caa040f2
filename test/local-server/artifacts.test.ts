import { LocalServerProcess } from '../kit/localServer';
import { fetchText, submitJob, waitForJob } from '../kit/http';

/** Artifact limits and retention as configured on the command line. */
describe('PrimeHub Local artifact limits and retention', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({
      args: ['--artifact-limit-files', '2', '--artifact-limit-mb', '1', '--artifact-retention-seconds', '2']
    });
  });

  afterAll(() => server.dispose());

  const run = async (command: string) => {
    const job = await submitJob(server.endpoint, server.token, { groupId: server.groupId, command });
    const done = await waitForJob(server.endpoint, server.token, job.id);
    const log = await fetchText(`${job.logEndpoint}?follow=false`, server.token);
    return { done, log: log.text };
  };

  test('over the file limit nothing is copied and the job log says so', async () => {
    const { done, log } = await run('mkdir -p artifacts; for i in 1 2 3; do echo $i > artifacts/f$i; done');
    expect(done.phase).toBe('Succeeded');
    expect(done.artifact.items).toEqual([]);
    expect(log).toMatch(/Artifacts: \(3 files \/ [\d.]+ MB\) not uploaded: over the limit of 2 files \/ 1 MB/);
  });

  test('over the size limit nothing is copied', async () => {
    const { done, log } = await run('mkdir -p artifacts; head -c 2000000 /dev/zero > artifacts/big.bin');
    expect(done.artifact.items).toEqual([]);
    expect(log).toMatch(/not uploaded/);
  });

  test('expired artifacts are removed by the retention sweep (at start and hourly)', async () => {
    const { done } = await run('mkdir -p artifacts; echo keep > artifacts/a.txt');
    expect(done.artifact.items.map((i: { name: string }) => i.name)).toEqual(['a.txt']);
    const url = `${server.baseUrl}/api/files/groups/${server.groupName}/jobArtifacts/${done.id}/a.txt`;
    expect((await fetchText(url, server.token)).status).toBe(200);
    await new Promise(r => setTimeout(r, 2500));
    await server.stop();
    await server.launch();
    expect((await fetchText(url, server.token)).status).toBe(404);
    expect((await waitForJob(server.endpoint, server.token, done.id)).phase).toBe('Succeeded');
  });
});
