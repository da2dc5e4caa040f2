/**
 * The official PrimeHub SDK (PyPI `primehub-python-sdk`, pinned in python/requirements.txt) against
 * PrimeHub Local and its real MLflow, unchanged: every `primehub models` operation but `deploy` (no
 * deployments here yet) on the runs a training job logged, through the SDK's Python API.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { submitJob, waitForJob } from '../kit/http';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning, TRAIN_IRIS } from '../kit/mlflow';
import { clientFor } from '../client/support';

const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const run = promisify(execFile);

describe("the PrimeHub SDK's models commands against PrimeHub Local", () => {
  let server: LocalServerProcess;

  /**
   * `ph.models.<method>(*args)` of the SDK's Python API (what `primehub models <command>` calls) with
   * PrimeHub Local's own SDK config file; its answer as JSON. Not the CLI's `--json`, which cannot
   * print the datetimes its list commands yield (the SDK's own bug, on a real PrimeHub too).
   */
  async function sdk(method: string, ...args: string[]): Promise<any> {
    const code = [
      'import inspect, json, sys',
      'from primehub import PrimeHub, PrimeHubConfig',
      'ph = PrimeHub(PrimeHubConfig(config=sys.argv[1]))',
      'out = getattr(ph.models, sys.argv[2])(*sys.argv[3:])',
      'print(json.dumps(list(out) if inspect.isgenerator(out) else out, default=str))'
    ].join('\n');
    const config = join(server.dataDir, 'config.json');
    const { stdout } = await run(PYTHON, ['-c', code, config, method, ...args], {
      env: { PATH: process.env.PATH, HOME: server.dataDir }
    });
    return JSON.parse(stdout);
  }

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, '.venv', 'lib', 'python3.11', 'site-packages', 'primehub'))) {
      throw new Error(
        `the PrimeHub SDK is missing from .venv: run node scripts/bootstrap.mjs (it installs python/requirements.txt)`
      );
    }
    server = await LocalServerProcess.start({ mlflow: true });
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  test(
    'list-runs, list-artifacts, register, list, get, list-versions and get-version answer as on PrimeHub',
    async () => {
      await mlflowRunning(server);
      const job = await submitJob(server.endpoint, server.token, {
        groupId: server.groupId,
        displayName: 'train-iris',
        command: TRAIN_IRIS
      });
      expect((await waitForJob(server.endpoint, server.token, job.id, undefined, 240_000)).phase).toBe('Succeeded');

      const runs = (await sdk('list_runs', 'iris')) as { runId: string; status: string; startTime: string }[];
      expect(runs).toHaveLength(2);
      expect(runs[0]).toMatchObject({ status: 'FINISHED', startTime: expect.stringMatching(/^\d{4}-\d\d-\d\d/) });
      // the better run, C=1.0, as the API says (the SDK's listing shows no names or params)
      const client = await clientFor(server);
      const named = (await client.models.mlflowRuns('iris')) as { info: { runId: string; runName: string } }[];
      await client.close();
      const runId = named.find(r => r.info.runName === 'C=1.0')!.info.runId;
      expect(runs.map(r => r.runId).sort()).toEqual(named.map(r => r.info.runId).sort());
      const artifacts = (await sdk('list_artifacts', runId)) as { path: string; is_dir: boolean }[];
      expect(artifacts).toEqual(expect.arrayContaining([{ path: 'model', is_dir: true }]));
      const inModel = (await sdk('list_artifacts', runId, 'model')) as { path: string }[];
      expect(inModel.map(f => f.path)).toContain('model/MLmodel');

      expect(await sdk('register', 'iris', runId, 'model')).toMatchObject({
        name: 'iris',
        version: '1',
        run_id: runId
      });
      const models = (await sdk('list')) as { name: string }[];
      expect(models.map(m => m.name)).toEqual(['iris']);
      expect(await sdk('get', 'iris')).toMatchObject({
        model: { name: 'iris' },
        modelVersions: [expect.objectContaining({ version: '1' })]
      });
      const versions = (await sdk('list_versions', 'iris')) as { version: string; source: string }[];
      expect(versions).toEqual([
        expect.objectContaining({ version: '1', source: expect.stringMatching(/^models:\/m-/) })
      ]);
      const v1 = await sdk('get_version', 'iris', '1');
      expect(v1).toMatchObject({ name: 'iris', version: '1', run: { info: { runId, status: 'FINISHED' } } });
    },
    MLFLOW_START_MS + 300_000
  );
});
