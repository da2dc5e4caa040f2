/**
 * A deployment's life beyond its first start: an update rolls its replicas while requests keep coming (none
 * fails), an update that fails leaves the replicas it was to replace serving, a 100 MB request body streams
 * through PrimeHub Local to the model (one larger is refused), a refusal reaches a client sending a large body,
 * and a restart of PrimeHub Local brings a Deployed
 * deployment back.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { gqlOk } from '../kit/http';
import { LocalServerProcess } from '../kit/localServer';
import { jobProcesses, waitFor } from '../kit/wait';
import { answerOf, classes, Deployments, IRIS_ROWS, keepPredicting, requirePython, trainModels } from './support';

const MB = 1_000_000;
const MIB = 1024 * 1024;

/** The resident set size of a process, in bytes, from /proc/<pid>/status. */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) {
    throw new Error(`no VmRSS for ${pid}`);
  }
  return Number(m[1]) * 1024;
}

/**
 * POSTs a JSON prediction padded with spaces in front to `size` bytes (valid JSON: whitespace is allowed
 * before a value), written a megabyte at a time with backpressure; `contentLength` false sends it chunked.
 */
function postPadded(
  url: string,
  size: number,
  message: unknown,
  contentLength: boolean,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string }> {
  const tail = Buffer.from(JSON.stringify(message));
  const u = new URL(url);
  // a kept-alive connection, as clients keep them: one that asks to close has no body dropped for it after the answer
  const agent = new Agent({ keepAlive: true });
  const req = request({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...(contentLength ? { 'content-length': String(size) } : {})
    }
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', c => (body += c));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', err =>
      reject(new Error(`POST of ${size} bytes${contentLength ? '' : ' chunked'}: ${err.message}`, { cause: err }))
    );
  });
  const spaces = Buffer.alloc(MB, 0x20);
  void (async () => {
    let left = size - tail.length;
    while (left > 0 && !req.destroyed) {
      const chunk = left >= spaces.length ? spaces : spaces.subarray(0, left);
      left -= chunk.length;
      if (!req.write(chunk)) {
        await new Promise<void>(resolve => {
          const done = () => {
            req.off('drain', done);
            req.off('close', done);
            resolve();
          };
          req.once('drain', done);
          req.once('close', done);
        });
      }
    }
    if (!req.destroyed) {
      req.end(tail);
    }
  })();
  return response;
}

describe('deployments: rolling updates, large bodies, restarts', () => {
  let server: LocalServerProcess;
  let deployments: Deployments;

  beforeAll(async () => {
    requirePython();
    server = await LocalServerProcess.start();
    deployments = new Deployments(server);
    const volume = join(server.dataDir, 'volumes', server.groupName);
    mkdirSync(join(volume, 'iris-1'), { recursive: true });
    mkdirSync(join(volume, 'iris-2'), { recursive: true });
    trainModels({ iris: join(volume, 'iris-1') });
    // version 2 of the model, as a retrained one would be published beside the first
    copyFileSync(join(volume, 'iris-1', 'model.joblib'), join(volume, 'iris-2', 'model.joblib'));
    mkdirSync(join(volume, 'broken'), { recursive: true });
    writeFileSync(join(volume, 'broken', 'model.joblib'), 'this is not a pickle');
    await deployments.createOk({ id: 'iris', modelURI: `/project/${server.groupName}/iris-1`, replicas: 2 });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  test('an update rolls the replicas while requests keep coming: none fails, the old replicas end after the new answer', async () => {
    const before = await deployments.waitStatus('iris', 'Deployed');
    const oldPods = (before.pods as { name: string }[]).map(p => p.name);
    const traffic = keepPredicting(deployments, 'iris');
    let servedWhileDeploying = 0;
    let failures: string[] = [];
    try {
      await waitFor('requests to be answered before the update', () => traffic.answered() >= 10);
      const updated = await deployments.update('iris', {
        modelURI: `/project/${server.groupName}/iris-2`,
        replicas: 1,
        updateMessage: 'version 2'
      });
      expect(updated.status).toBe('Deploying');
      const atUpdate = traffic.answered();
      const after = await deployments.waitStatus('iris', 'Deployed');
      servedWhileDeploying = traffic.answered() - atUpdate;
      // the replaced replicas drain, then end
      await waitFor(
        'the replaced replicas to end',
        async () =>
          oldPods.every(p => jobProcesses(p).length === 0) &&
          (await deployments.get('iris')).pods.every((p: { name: string }) => !oldPods.includes(p.name)),
        30_000,
        100
      );
      const atEnd = traffic.answered();
      await waitFor('requests to be answered by the new replica', () => traffic.answered() >= atEnd + 10);
      expect(after).toMatchObject({ modelURI: `/project/${server.groupName}/iris-2`, replicas: 1 });
    } finally {
      ({ failures } = await traffic.stop());
    }
    expect(failures).toEqual([]);
    expect(servedWhileDeploying).toBeGreaterThan(0);
    const pods = (await deployments.get('iris')).pods as { name: string }[];
    expect(pods).toHaveLength(1);
    expect(oldPods).not.toContain(pods[0].name);
  });

  test('an update to a broken model is Failed with its error while the replicas it was to replace keep answering (and are restarted), until an update that works', async () => {
    const before = await deployments.waitStatus('iris', 'Deployed');
    const servingPods = (before.pods as { name: string }[]).map(p => p.name);
    let traffic = keepPredicting(deployments, 'iris');
    let failures: string[] = [];
    try {
      await waitFor('requests to be answered before the update', () => traffic.answered() >= 10);
      await deployments.update('iris', { modelURI: `/project/${server.groupName}/broken` });
      const failed = await deployments.waitStatus('iris', 'Failed');
      // the new replica's own error (joblib's words for a file that is not a pickle), and that the old ones serve
      expect(failed.message).toMatch(
        /^the update failed, the previous replicas still serve: the model server of deploy-iris-\S+ exited with code 1: IndexError: pop from empty list \(see the pod's log\)$/
      );
      const pods = failed.pods as { name: string; phase: string }[];
      expect(pods.filter(p => !servingPods.includes(p.name)).map(p => p.phase)).toEqual(['Failed']);
      expect(pods.filter(p => servingPods.includes(p.name)).map(p => p.phase)).toEqual(['Running']);
      expect(failed.availableReplicas).toBe(servingPods.length);
      const atFailure = traffic.answered();
      await waitFor(
        'requests to be answered by the old replica after the failure',
        () => traffic.answered() >= atFailure + 10
      );
      expect((await deployments.get('iris')).status).toBe('Failed');
      expect(servingPods.every(p => jobProcesses(p).length > 0)).toBe(true);
    } finally {
      ({ failures } = await traffic.stop());
    }
    expect(failures).toEqual([]);

    // the old replica is still kept running: killed, it is restarted and answers again
    const [victim] = jobProcesses(servingPods[0]);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      'the killed replica to be skipped',
      async () => (await deployments.get('iris')).availableReplicas === 0
    );
    await waitFor(
      'the killed replica to be back',
      async () => (await deployments.get('iris')).availableReplicas === 1,
      60_000,
      100
    );
    expect(jobProcesses(servingPods[0])).not.toContain(victim);
    expect((await answerOf(await deployments.predict('iris', { data: { ndarray: IRIS_ROWS } }))).status).toBe(200);
    expect((await deployments.get('iris')).status).toBe('Failed');

    traffic = keepPredicting(deployments, 'iris');
    try {
      // the next update that works replaces them as a rolling update does
      await deployments.update('iris', { modelURI: `/project/${server.groupName}/iris-2` });
      await deployments.waitStatus('iris', 'Deployed');
      await waitFor(
        'the replaced replica to end',
        () => servingPods.every(p => jobProcesses(p).length === 0),
        30_000,
        100
      );
      const atEnd = traffic.answered();
      await waitFor('requests to be answered by the new replica', () => traffic.answered() >= atEnd + 10);
    } finally {
      ({ failures } = await traffic.stop());
    }
    expect(failures).toEqual([]);
    const pods = (await deployments.get('iris')).pods as { name: string }[];
    expect(pods).toHaveLength(1);
    expect(servingPods).not.toContain(pods[0].name);
  });

  test('a 100 MB request body streams through to the model without PrimeHub Local holding it; a larger one is 413', async () => {
    await deployments.waitStatus('iris', 'Deployed');
    const url = `${server.baseUrl}/deployment/iris/api/v1.0/predictions`;
    const pid = server.pid!;
    const rssBefore = rssOf(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10);
    let big: { status: number; body: string };
    try {
      big = await postPadded(url, 100 * MB, { data: { ndarray: IRIS_ROWS } }, false);
    } finally {
      clearInterval(sampler);
    }
    expect(big.status).toBe(200);
    expect(classes(JSON.parse(big.body).data.ndarray)).toEqual([0, 1, 2]);
    // streamed: holding the body whole would add all of it to the server's memory; passing it on adds only
    // chunks in flight and garbage not yet collected (40 to 70 MB seen here)
    expect(peak - rssBefore).toBeLessThan(100 * MB);

    const tooLarge = {
      status: 413,
      body: {
        status: {
          code: 413,
          info: 'the request body is larger than 100 MiB, the most a prediction may send',
          reason: 'REQUEST_TOO_LARGE',
          status: 'FAILURE'
        }
      }
    };
    // declared too large: refused before the body is read
    const declared = await postPadded(url, 100 * MIB + 1, { data: { ndarray: IRIS_ROWS } }, true);
    expect({ status: declared.status, body: JSON.parse(declared.body) }).toEqual(tooLarge);
    // chunked: cut off once it passes the limit
    const chunked = await postPadded(url, 100 * MIB + MB, { data: { ndarray: IRIS_ROWS } }, false);
    expect({ status: chunked.status, body: JSON.parse(chunked.body) }).toEqual(tooLarge);
    // the replica is still there for the next request
    expect((await answerOf(await deployments.predict('iris', { data: { ndarray: IRIS_ROWS } }))).status).toBe(200);
  });

  test('a large body sent to a refused endpoint gets the whole refusal: 401 without credentials, 503 while Failed', async () => {
    await deployments.createOk({
      id: 'refusing',
      modelURI: `/project/${server.groupName}/broken`,
      endpointAccessType: 'private'
    });
    await deployments.waitStatus('refusing', 'Failed');
    const { createPhDeploymentClient: client } = await gqlOk(
      server.endpoint,
      server.token,
      'mutation ($data: PhDeploymentClientCreateInput!) { createPhDeploymentClient(data: $data) { name plainTextToken } }',
      { data: { deploymentId: 'refusing', name: 'tester' } }
    );
    const url = `${server.baseUrl}/deployment/refusing/api/v1.0/predictions`;
    const message = { data: { ndarray: IRIS_ROWS } };
    const basic = `Basic ${Buffer.from(`tester:${client.plainTextToken}`).toString('base64')}`;
    for (const contentLength of [true, false]) {
      const unauthorized = await postPadded(url, 50 * MB, message, contentLength);
      expect({ status: unauthorized.status, body: JSON.parse(unauthorized.body) }).toEqual({
        status: 401,
        body: {
          status: {
            code: 401,
            info: "deployment refusing is private: send a client's name and token with HTTP Basic authentication",
            reason: 'UNAUTHORIZED',
            status: 'FAILURE'
          }
        }
      });
      const failed = await postPadded(url, 50 * MB, message, contentLength, { authorization: basic });
      expect(failed.status).toBe(503);
      expect(JSON.parse(failed.body)).toEqual({
        status: {
          code: 503,
          info: expect.stringMatching(
            /^deployment refusing is Failed: the model server of deploy-refusing-\S+ exited with code 1: /
          ),
          reason: 'FAILED',
          status: 'FAILURE'
        }
      });
    }
    await deployments.delete('refusing');
  });

  test('PrimeHub Local restarted brings the Deployed deployment back', async () => {
    await deployments.waitStatus('iris', 'Deployed');
    const [pod] = (await deployments.get('iris')).pods as { name: string }[];
    expect(await server.stop()).toBe(0);
    expect(jobProcesses(pod.name)).toEqual([]);
    await server.launch();
    const back = await deployments.waitStatus('iris', 'Deployed');
    expect(back).toMatchObject({ replicas: 1, availableReplicas: 1, modelURI: `/project/${server.groupName}/iris-2` });
    const answer = await answerOf(await deployments.predict('iris', { data: { ndarray: IRIS_ROWS } }));
    expect(answer.status).toBe(200);
    expect(classes((answer.body as any).data.ndarray)).toEqual([0, 1, 2]);
  });

  test('PrimeHub Local restarted while an update has failed brings back the replicas that served, still Failed', async () => {
    await deployments.waitStatus('iris', 'Deployed');
    await deployments.update('iris', { modelURI: `/project/${server.groupName}/broken` });
    await deployments.waitStatus('iris', 'Failed');
    expect(await server.stop()).toBe(0);
    await server.launch();
    // the previous spec's replica serves again while the failing change is tried again and fails again
    await waitFor(
      'the previous replica to answer after the restart',
      async () => (await answerOf(await deployments.predict('iris', { data: { ndarray: IRIS_ROWS } }))).status === 200,
      60_000,
      100
    );
    const answer = await answerOf(await deployments.predict('iris', { data: { ndarray: IRIS_ROWS } }));
    expect(classes((answer.body as any).data.ndarray)).toEqual([0, 1, 2]);
    const failed = await deployments.waitStatus('iris', 'Failed');
    expect(failed.message).toMatch(
      /^the update failed, the previous replicas still serve: the model server of deploy-iris-\S+ exited/
    );
    expect(failed.modelURI).toBe(`/project/${server.groupName}/broken`);
    const pods = failed.pods as { name: string; phase: string }[];
    expect(pods.map(p => p.phase).sort()).toEqual(['Failed', 'Running']);

    // a change that works replaces them
    await deployments.update('iris', { modelURI: `/project/${server.groupName}/iris-2` });
    await deployments.waitStatus('iris', 'Deployed');
    await waitFor(
      'the previous replica to end',
      async () => ((await deployments.get('iris')).pods as unknown[]).length === 1
    );
  });
});
