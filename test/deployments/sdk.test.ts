/**
 * The official PrimeHub SDK's `primehub deployments` commands (primehub-python-sdk 0.4.2, pinned in
 * python/requirements.txt, the latest release) run unchanged against PrimeHub Local: create, list, get,
 * update, wait, stop, start, get-history, logs and delete, on a real model server.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { answerOf, classes, Deployments, IRIS_ROWS, requirePython, SKLEARN_IMAGE, trainModels } from './support';

const PRIMEHUB_CLI = join(REPO_ROOT, '.venv', 'bin', 'primehub');

describe("the official SDK's deployments commands against PrimeHub Local", () => {
  let server: LocalServerProcess;
  let deployments: Deployments;

  /** `primehub deployments <args> --json` with PrimeHub Local's own SDK config file; stdout. */
  async function primehub(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(
      PRIMEHUB_CLI,
      ['deployments', ...args, '--config', join(server.dataDir, 'config.json'), '--json'],
      // the SDK's own home: nothing of the user's ~/.primehub is read or written
      { env: { PATH: process.env.PATH, HOME: server.dataDir } }
    );
    return stdout;
  }
  const json = async (...args: string[]): Promise<any> => JSON.parse(await primehub(...args));

  beforeAll(async () => {
    requirePython();
    server = await LocalServerProcess.start();
    deployments = new Deployments(server);
    const iris = join(server.dataDir, 'volumes', server.groupName, 'iris');
    mkdirSync(iris, { recursive: true });
    trainModels({ iris });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  test('its commands are those PrimeHub Local answers (0.4.2 has no client commands)', async () => {
    // the SDK prints its help on stderr
    const { stderr } = await promisify(execFile)(PRIMEHUB_CLI, ['deployments', '--help'], {
      env: { PATH: process.env.PATH, HOME: server.dataDir }
    });
    const section = stderr.slice(stderr.indexOf('Available Commands:'), stderr.indexOf('Options:'));
    const commands = [...section.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map(m => m[1]);
    // private endpoints' clients are made through GraphQL (createPhDeploymentClient), as PrimeHub's console does
    expect(commands).toEqual([
      'create',
      'delete',
      'get',
      'get-history',
      'list',
      'logs',
      'start',
      'stop',
      'update',
      'wait'
    ]);
  });

  test('create, list, get, wait, update, stop, start, get-history, logs and delete', async () => {
    const spec = join(server.dataDir, 'deployment.json');
    writeFileSync(
      spec,
      JSON.stringify({
        id: 'sdk-iris',
        name: 'SDK iris',
        modelImage: SKLEARN_IMAGE,
        modelURI: `/project/${server.groupName}/iris`,
        instanceType: 'cpu-1',
        replicas: 1,
        endpointAccessType: 'public',
        env: [{ name: 'GREETING', value: 'hi' }],
        metadata: { owner: 'sdk' }
      })
    );
    expect(await json('create', '--file', spec)).toMatchObject({
      id: 'sdk-iris',
      name: 'SDK iris',
      status: 'Deploying',
      endpoint: `${server.baseUrl}/deployment/sdk-iris/api/v1.0/predictions`
    });
    expect((await json('list')).map((d: { id: string }) => d.id)).toEqual(['sdk-iris']);
    const deployed = await json('wait', 'sdk-iris', '--timeout', '120');
    expect(deployed).toMatchObject({
      id: 'sdk-iris',
      status: 'Deployed',
      stop: false,
      userName: 'phuser',
      groupName: server.groupName,
      instanceType: { name: 'cpu-1' },
      env: [{ name: 'GREETING', value: 'hi' }],
      metadata: { owner: 'sdk' },
      availableReplicas: 1
    });
    expect(await json('get', 'sdk-iris')).toMatchObject({
      status: 'Deployed',
      modelURI: `/project/${server.groupName}/iris`
    });
    const answer = await answerOf(await deployments.predict('sdk-iris', { data: { ndarray: IRIS_ROWS } }));
    expect(classes((answer.body as any).data.ndarray)).toEqual([0, 1, 2]);

    const update = join(server.dataDir, 'update.json');
    writeFileSync(update, JSON.stringify({ description: 'updated by the SDK', updateMessage: 'description' }));
    expect(await json('update', 'sdk-iris', '--file', update)).toMatchObject({
      id: 'sdk-iris',
      description: 'updated by the SDK',
      status: 'Deploying'
    });
    await json('wait', 'sdk-iris', '--timeout', '120');

    expect(await json('stop', 'sdk-iris')).toMatchObject({ stop: true, status: 'Stopping' });
    expect(await json('wait', 'sdk-iris', '--timeout', '60')).toMatchObject({ stop: true, status: 'Stopped' });
    expect(await json('start', 'sdk-iris')).toMatchObject({ stop: false, status: 'Deploying' });
    expect(await json('wait', 'sdk-iris', '--timeout', '120')).toMatchObject({ status: 'Deployed' });

    const history = (await json('get-history', 'sdk-iris')) as { deployment: { stop: boolean; description: string } }[];
    expect(history.map(h => h.deployment.stop)).toEqual([false, true, false, false]);
    expect(history[1].deployment.description).toBe('updated by the SDK');

    // the SDK picks the pod whose name starts with deploy-<id>, as PrimeHub names a deployment's pods
    expect(await primehub('logs', 'sdk-iris', '--tail', '50')).toMatch(/serving Seldon v1 REST/);

    expect(await json('delete', 'sdk-iris', '--yes-i-really-mean-it')).toEqual({ id: 'sdk-iris' });
    // the CLI prints nothing for an empty list
    expect((await primehub('list')).trim()).toBe('');
    await expect(primehub('get', 'sdk-iris')).rejects.toThrow(/sdk-iris/);
  });
});
