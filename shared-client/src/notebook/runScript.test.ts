import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildNotebookRunScript,
  FAST_PAPERMILL,
  isNotebookRunScript,
  type NotebookRunPlan,
  notebookRunParameters,
  parseNotebookRunScript
} from './runScript';

/** Folder names with every character a shell could trip on. */
const HOSTILE_DIR = `it's $(touch pwned) "x" \`y\` ; & |`;

/**
 * The run script under bash, with a stand-in `papermill` that records what it was given and
 * where it ran, writes an output notebook and exits with a chosen code.
 */
describe('notebook run script', () => {
  let root: string;
  let env: Record<string, string>;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'phc-run-'));
    for (const d of ['home', 'volume', 'phfs', 'bin']) {
      mkdirSync(join(root, d));
    }
    const stub = [
      '#!/bin/bash',
      'printf "%s\\n" "$PWD" "$@" > "$RECORD"',
      'printf "%s" "$PRIMEHUB_ARTIFACTS_DIR" > "$RECORD.artifacts"',
      'printf "%s" "${MLFLOW_RUN_ID-unset} ${MLFLOW_EXPERIMENT_ID-unset} ${MLFLOW_EXPERIMENT_NAME-unset}" > "$RECORD.mlflow"',
      'echo \'{"cells": []}\' > "$2"',
      // a notebook that runs until it is stopped
      'if [ -n "${STUB_HANG:-}" ]; then exec sleep 60; fi',
      'exit "${STUB_EXIT:-0}"'
    ].join('\n');
    writeFileSync(join(root, 'bin', 'papermill'), stub);
    chmodSync(join(root, 'bin', 'papermill'), 0o755);
    env = {
      PATH: `${join(root, 'bin')}:/usr/bin:/bin`,
      HOME: join(root, 'home'),
      PRIMEHUB_GROUP_VOLUME_PATH: join(root, 'volume'),
      PRIMEHUB_PHFS_PATH: join(root, 'phfs'),
      RECORD: join(root, 'record')
    };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = (script: string, extra: Record<string, string> = {}) =>
    spawnSync('bash', ['-c', script], { env: { ...env, ...extra }, encoding: 'utf8', cwd: root });

  it('runs papermill in the notebook folder, output beside it and in the artifacts, values in base64 only', () => {
    mkdirSync(join(root, 'volume', HOSTILE_DIR), { recursive: true });
    const parameters = { msg: "it's $(id)", n: 2 };
    const script = buildNotebookRunScript({
      input: { root: 'volume', path: `${HOSTILE_DIR}/train.ipynb` },
      workdir: { root: 'volume', path: HOSTILE_DIR },
      output: { root: 'volume', path: `${HOSTILE_DIR}/train-out.ipynb` },
      artifactName: 'train-out.ipynb',
      volumeFallback: '/project/phusers',
      parameters,
      types: { n: 'float' }
    });
    expect(isNotebookRunScript(script)).toBe(true);
    expect(notebookRunParameters(script)).toEqual(parameters);
    const res = run(script);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const [cwd, input, output, flag, b64, logOutput] = readFileSync(env.RECORD, 'utf8').trimEnd().split('\n');
    expect(cwd).toBe(join(root, 'volume', HOSTILE_DIR));
    expect(input).toBe(join(root, 'volume', HOSTILE_DIR, 'train.ipynb'));
    expect(output).toBe(join(root, 'volume', HOSTILE_DIR, 'train-out.ipynb'));
    expect([flag, logOutput]).toEqual(['-b', '--log-output']);
    expect(JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))).toEqual({ msg: "it's $(id)", n: 2.0 });
    // the notebook saw an absolute artifacts folder, and the output is there too
    expect(readFileSync(`${env.RECORD}.artifacts`, 'utf8')).toBe(join(root, 'home', 'artifacts'));
    expect(existsSync(join(root, 'home', 'artifacts', 'train-out.ipynb'))).toBe(true);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
  });

  it("removes the snapshot and keeps papermill's exit code when the notebook fails", () => {
    mkdirSync(join(root, 'phfs', 'snap', 'a'), { recursive: true });
    writeFileSync(join(root, 'phfs', 'snap', 'a', '.nb.ipynb'), '{}');
    const script = buildNotebookRunScript({
      input: { root: 'phfs', path: 'snap/a/.nb.ipynb' },
      workdir: { root: 'phfs', path: 'snap/a' },
      artifactName: 'nb-out.ipynb',
      removeOnExit: { root: 'phfs', path: 'snap/a/.nb.ipynb' },
      volumeFallback: '/project/phusers',
      parameters: {}
    });
    const res = run(script, { STUB_EXIT: '3' });
    expect(res.status).toBe(3);
    expect(existsSync(join(root, 'phfs', 'snap', 'a'))).toBe(false);
    // without `output`, papermill writes straight into the artifacts
    expect(existsSync(join(root, 'home', 'artifacts', 'nb-out.ipynb'))).toBe(true);
  });

  it('falls back to /project/<group> and /phfs where the variables are missing', () => {
    const script = buildNotebookRunScript({
      input: { root: 'volume', path: 'x.ipynb' },
      workdir: { root: 'volume', path: '' },
      artifactName: 'x-out.ipynb',
      volumeFallback: join(root, 'volume'),
      parameters: {}
    });
    const res = run(script, { PRIMEHUB_GROUP_VOLUME_PATH: '', PRIMEHUB_PHFS_PATH: join(root, 'missing') });
    expect(res.status).toBe(0);
    expect(readFileSync(env.RECORD, 'utf8').split('\n')[0]).toBe(join(root, 'volume'));
  });

  describe('papermill entry point', () => {
    const script = buildNotebookRunScript({
      input: { root: 'volume', path: 'x.ipynb' },
      workdir: { root: 'volume', path: '' },
      artifactName: 'x-out.ipynb',
      volumeFallback: '/project/phusers',
      parameters: { msg: 'a b' }
    });
    const fast = (body: string): void => {
      writeFileSync(join(root, 'bin', FAST_PAPERMILL), `#!/bin/bash\n${body}\n`);
      chmodSync(join(root, 'bin', FAST_PAPERMILL), 0o755);
    };

    it(`runs ${FAST_PAPERMILL} with papermill's arguments where the image has it`, () => {
      fast('printf "%s\\n" fast "$@" > "$RECORD"; echo \'{"cells": []}\' > "$2"');
      const res = run(script);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const [which, input, output, flag, b64, logOutput] = readFileSync(env.RECORD, 'utf8').trimEnd().split('\n');
      expect(which).toBe('fast');
      expect([input, output, flag, logOutput]).toEqual([
        join(root, 'volume', 'x.ipynb'),
        join(root, 'home', 'artifacts', 'x-out.ipynb'),
        '-b',
        '--log-output'
      ]);
      expect(JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))).toEqual({ msg: 'a b' });
    });

    it('falls back to plain papermill on a stock image', () => {
      const res = run(script);
      expect(res.status).toBe(0);
      expect(readFileSync(env.RECORD, 'utf8').split('\n')[1]).toBe(join(root, 'volume', 'x.ipynb'));
    });

    it(`says "papermill: command not found" where only ${FAST_PAPERMILL} is there`, () => {
      fast('echo fast > "$RECORD"');
      rmSync(join(root, 'bin', 'papermill'));
      const res = run(script);
      expect(res.status).toBe(127);
      expect(res.stderr).toMatch(/papermill: command not found/);
      expect(existsSync(env.RECORD)).toBe(false);
    });
  });

  it('refuses paths that climb out of their root and names that are not files', () => {
    const base = {
      workdir: { root: 'volume' as const, path: '' },
      artifactName: 'o.ipynb',
      volumeFallback: '/project/g',
      parameters: {}
    };
    expect(() => buildNotebookRunScript({ ...base, input: { root: 'volume', path: '../etc/x.ipynb' } })).toThrow(
      /must not contain "\.\." segments/
    );
    expect(() =>
      buildNotebookRunScript({ ...base, input: { root: 'volume', path: 'x.ipynb' }, artifactName: 'a/b.ipynb' })
    ).toThrow(/artifactName must be a file name/);
    expect(() =>
      buildNotebookRunScript({ ...base, input: { root: 'volume', path: 'x.ipynb' }, parameters: { 'bad-name': 1 } })
    ).toThrow(/not a Python identifier/);
  });

  it('reads back what a script runs, whatever the paths hold', () => {
    const plan = {
      input: { root: 'volume' as const, path: `${HOSTILE_DIR}/.nb-1.ipynb` },
      workdir: { root: 'volume' as const, path: HOSTILE_DIR },
      output: { root: 'volume' as const, path: `${HOSTILE_DIR}/nb 'out'.ipynb` },
      artifactName: "nb 'out'.ipynb",
      volumeFallback: '/project/g',
      parameters: { msg: "it's\n$(x)", n: [1, { a: null }] }
    };
    expect(parseNotebookRunScript(buildNotebookRunScript(plan))).toEqual({
      input: plan.input,
      workdir: plan.workdir,
      output: plan.output,
      artifactName: plan.artifactName,
      parameters: plan.parameters
    });
    // a PHFS snapshot run in the volume's root, output only to the artifacts
    const snap = buildNotebookRunScript({
      input: { root: 'phfs', path: 'snap/a/.nb.ipynb' },
      workdir: { root: 'volume', path: '' },
      artifactName: 'nb-out.ipynb',
      removeOnExit: { root: 'phfs', path: 'snap/a/.nb.ipynb' },
      volumeFallback: '/project/g',
      parameters: {}
    });
    expect(parseNotebookRunScript(snap)).toEqual({
      input: { root: 'phfs', path: 'snap/a/.nb.ipynb' },
      workdir: { root: 'volume', path: '' },
      artifactName: 'nb-out.ipynb',
      parameters: {}
    });
    expect(parseNotebookRunScript('python train.py')).toBeUndefined();
    expect(parseNotebookRunScript(null)).toBeUndefined();
    // an edited script is not guessed at
    expect(parseNotebookRunScript(snap.replace(/^papermill .*$/m, 'papermill "$vol" x.ipynb'))).toBeUndefined();
  });

  it("names a recurring job's output after each run's job id, read back from the job", () => {
    mkdirSync(join(root, 'volume', HOSTILE_DIR), { recursive: true });
    const head = `${HOSTILE_DIR}/report-`;
    const script = buildNotebookRunScript({
      input: { root: 'volume', path: `${HOSTILE_DIR}/report.ipynb` },
      workdir: { root: 'volume', path: HOSTILE_DIR },
      output: { root: 'volume', path: `${head}-output.ipynb`, runIdAt: head.length },
      artifactName: 'report-output.ipynb',
      volumeFallback: '/project/phusers',
      parameters: {}
    });
    for (const id of ['job-202601011200-abc123', 'job-202601011300-def456']) {
      expect(run(script, { PHJOB_NAME: id }).status).toBe(0);
      expect(existsSync(join(root, 'volume', HOSTILE_DIR, `report-${id}-output.ipynb`))).toBe(true);
      expect(parseNotebookRunScript({ id, command: script })).toMatchObject({
        output: { root: 'volume', path: `${HOSTILE_DIR}/report-${id}-output.ipynb` },
        artifactName: 'report-output.ipynb',
        outputPerRun: true
      });
    }
    // a job id a shell could trip on is not used: a time stamp names the output instead
    expect(run(script, { PHJOB_NAME: '$(touch pwned)' }).status).toBe(0);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    expect(parseNotebookRunScript(script)).toMatchObject({ outputPerRun: true });
    expect(parseNotebookRunScript(script)!.output).toBeUndefined();
    expect(parseNotebookRunScript(script, '../x')!.output).toBeUndefined();
    // the id goes into a normalized path only
    expect(() =>
      buildNotebookRunScript({
        input: { root: 'volume', path: 'a.ipynb' },
        workdir: { root: 'volume', path: '' },
        output: { root: 'volume', path: '/a-.ipynb', runIdAt: 3 },
        artifactName: 'a.ipynb',
        volumeFallback: '/project/phusers',
        parameters: {}
      })
    ).toThrow(/normalized/);
  });

  /** The script under `shell` without blocking the event loop (a test's fake MLflow answers meanwhile). */
  const runAsync = (script: string, extra: Record<string, string> = {}, shell = 'bash') => {
    const child = spawn(shell, ['-c', script], { env: { ...env, ...extra }, cwd: root, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    const done = new Promise<{ status: number | null; stdout: string; stderr: string }>(resolve =>
      child.on('close', status => resolve({ status, stdout, stderr }))
    );
    return { child, done };
  };

  const waitFor = async (what: () => boolean, ms = 20_000): Promise<void> => {
    for (const end = Date.now() + ms; !what(); await new Promise(r => setTimeout(r, 20))) {
      if (Date.now() > end) {
        throw new Error('timed out');
      }
    }
  };

  const record = (suffix: string): string | undefined =>
    existsSync(`${env.RECORD}.${suffix}`) ? readFileSync(`${env.RECORD}.${suffix}`, 'utf8') : undefined;

  const plan = (over: Partial<NotebookRunPlan> = {}): NotebookRunPlan => ({
    input: { root: 'volume', path: 'dir/train.ipynb' },
    workdir: { root: 'volume', path: 'dir' },
    output: { root: 'volume', path: 'dir/train-out.ipynb' },
    artifactName: 'train-out.ipynb',
    volumeFallback: '/project/phusers',
    parameters: { lr: 0.1, name: "it's" },
    types: { lr: 'float' },
    tracking: { runName: 'train-lr=0.1', notebookPath: 'dir/train.ipynb', sweepId: 'sweep-1' },
    ...over
  });

  /**
   * The shell's part of a job's MLflow run, with a stand-in for its Python helper (a `python3`
   * first on PATH) that prints `STUB_RUN` as its start line and records how it was ended.
   */
  describe.each(['bash', 'sh'])('MLflow run, the script under %s', shell => {
    let withHelper: Record<string, string>;

    beforeEach(() => {
      mkdirSync(join(root, 'volume', 'dir'));
      mkdirSync(join(root, 'helper'));
      const helper = [
        '#!/bin/bash',
        'shift 2',
        'printf "%s\\n" "$@" > "$RECORD.helper"',
        'trap \'echo FINISHED > "$RECORD.end"; exit 0\' USR1',
        'trap \'echo FAILED > "$RECORD.end"; exit 0\' USR2',
        'trap \'echo KILLED > "$RECORD.end"; exit 0\' TERM',
        '[ -n "${STUB_RUN:-}" ] || exit 0',
        'echo "$STUB_RUN"',
        'exec >&2',
        'while :; do sleep 0.02; done'
      ].join('\n');
      writeFileSync(join(root, 'helper', 'python3'), helper, { mode: 0o755 });
      withHelper = {
        PATH: `${join(root, 'helper')}:${env.PATH}`,
        MLFLOW_TRACKING_URI: 'http://127.0.0.1:9',
        MLFLOW_EXPERIMENT_NAME: 'Default',
        STUB_RUN: 'run-1 7 kernel'
      };
    });

    it('gives the kernel the run and ends it FINISHED or FAILED with papermill', async () => {
      const script = buildNotebookRunScript(plan());
      const ok = await runAsync(script, withHelper, shell).done;
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(record('mlflow')).toBe('run-1 7 unset');
      expect(record('end')).toBe('FINISHED\n');
      // the helper got the notebook, papermill's parameters, the run's names and the output to upload
      const [notebook, params, info, output, artifact] = record('helper')!.trimEnd().split('\n');
      const papermillArgs = readFileSync(env.RECORD, 'utf8').split('\n');
      expect([notebook, output, params]).toEqual([papermillArgs[1], papermillArgs[2], papermillArgs[4]]);
      expect(JSON.parse(Buffer.from(info, 'base64').toString('utf8'))).toEqual({
        runName: 'train-lr=0.1',
        notebookPath: 'dir/train.ipynb',
        sweepId: 'sweep-1'
      });
      expect(artifact).toBe('train-out.ipynb');

      const failed = await runAsync(script, { ...withHelper, STUB_EXIT: '3' }, shell).done;
      expect(failed.status).toBe(3);
      expect(record('end')).toBe('FAILED\n');
      // the output still reaches the artifacts
      expect(existsSync(join(root, 'home', 'artifacts', 'train-out.ipynb'))).toBe(true);
    });

    it('leaves the kernel alone where the notebook logs elsewhere, still ending the run', async () => {
      const res = await runAsync(buildNotebookRunScript(plan()), { ...withHelper, STUB_RUN: 'run-1 7 job' }, shell)
        .done;
      expect(res.status).toBe(0);
      expect(record('mlflow')).toBe('unset unset Default');
      expect(record('end')).toBe('FINISHED\n');
    });

    it('runs as without MLflow where the helper starts no run, or the job has no MLFLOW_TRACKING_URI', async () => {
      const script = buildNotebookRunScript(plan());
      const none = await runAsync(script, { ...withHelper, STUB_RUN: '' }, shell).done;
      expect([none.status, none.stderr]).toEqual([0, '']);
      expect(record('mlflow')).toBe('unset unset Default');
      expect(record('end')).toBeUndefined();
      rmSync(`${env.RECORD}.helper`);
      const off = await runAsync(script, { ...withHelper, MLFLOW_TRACKING_URI: '' }, shell).done;
      expect([off.status, off.stderr]).toEqual([0, '']);
      expect(record('helper')).toBeUndefined();
    });

    it('ends the run KILLED when the job is cancelled (TERM to the script alone), stopping papermill', async () => {
      mkdirSync(join(root, 'phfs', 'snap'));
      writeFileSync(join(root, 'phfs', 'snap', '.train.ipynb'), '{}');
      const script = buildNotebookRunScript(
        plan({
          input: { root: 'phfs', path: 'snap/.train.ipynb' },
          removeOnExit: { root: 'phfs', path: 'snap/.train.ipynb' }
        })
      );
      const { child, done } = runAsync(script, { ...withHelper, STUB_HANG: '1' }, shell);
      await waitFor(() => record('mlflow') !== undefined);
      // as PrimeHub Local signals a sandboxed job, and Kubernetes a container's first process
      process.kill(child.pid!, 'SIGTERM');
      const res = await done;
      expect(res.status).toBe(143);
      expect(record('end')).toBe('KILLED\n');
      expect(existsSync(join(root, 'phfs', 'snap'))).toBe(false);
      // papermill (here `sleep`) was stopped, not left behind (a killed orphan is gone once init reaps it)
      await waitFor(() => spawnSync('pgrep', ['-g', String(child.pid)]).status === 1);
    });
  });

  /** The whole run script with its Python helper (the machine's python3) against a fake MLflow server. */
  describe('MLflow run against a fake tracking server', () => {
    interface Seen {
      method: string;
      url: string;
      headers: IncomingMessage['headers'];
      body: string;
    }
    let server: Server;
    let url: string;
    let seen: Seen[];
    let answer401: boolean;
    let artifactUri: (eid: string, rid: string) => string;
    let withMlflow: Record<string, string>;
    const experiments = new Map<string, string>();

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', d => (body += d));
        req.on('end', () => {
          seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
          const send = (status: number, json: object) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(json));
          };
          if (answer401) {
            return send(401, { error_code: 'UNAUTHENTICATED', message: 'no' });
          }
          const path = new URL(req.url!, 'http://x').pathname.replace(/^\/prefix/, '');
          const q = new URL(req.url!, 'http://x').searchParams;
          if (path === '/api/2.0/mlflow/experiments/get-by-name') {
            const id = experiments.get(q.get('experiment_name')!);
            return id
              ? send(200, { experiment: { experiment_id: id, lifecycle_stage: 'active' } })
              : send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'none' });
          }
          if (path === '/api/2.0/mlflow/experiments/create') {
            const id = String(10 + experiments.size);
            experiments.set((JSON.parse(body) as { name: string }).name, id);
            return send(200, { experiment_id: id });
          }
          if (path === '/api/2.0/mlflow/runs/create') {
            const b = JSON.parse(body) as { experiment_id: string; run_name?: string };
            const info = { run_id: 'r1', experiment_id: b.experiment_id, run_name: b.run_name };
            return send(200, { run: { info: { ...info, artifact_uri: artifactUri(b.experiment_id, 'r1') } } });
          }
          send(200, {});
        });
      });
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
    });

    afterAll(() => new Promise(r => server.close(r)));

    beforeEach(() => {
      seen = [];
      answer401 = false;
      experiments.clear();
      artifactUri = (eid, rid) => `mlflow-artifacts:/${eid}/${rid}/artifacts`;
      // the image's mlflow package, as a plain import would find it
      mkdirSync(join(root, 'pylib', 'mlflow'), { recursive: true });
      writeFileSync(join(root, 'pylib', 'mlflow', '__init__.py'), '');
      mkdirSync(join(root, 'volume', 'dir'));
      withMlflow = {
        MLFLOW_TRACKING_URI: url,
        PYTHONPATH: join(root, 'pylib'),
        PHJOB_NAME: 'job-20260101-abc',
        PRIMEHUB_USER: 'alice',
        PRIMEHUB_GROUP: 'phusers'
      };
    });

    const notebook = (...sources: string[]): void =>
      writeFileSync(
        join(root, 'volume', 'dir', 'train.ipynb'),
        JSON.stringify({ cells: sources.map(source => ({ cell_type: 'code', metadata: {}, source, outputs: [] })) })
      );
    const calls = () => seen.map(s => `${s.method} ${new URL(s.url, 'http://x').pathname.replace('/prefix', '')}`);
    const bodyOf = (path: string) =>
      JSON.parse(seen.find(s => s.url.includes(path))?.body ?? 'null') as Record<string, unknown> | null;

    it('creates the run (name, tags, parameters), uploads the output notebook and ends it, credentials only in headers', async () => {
      notebook('import mlflow\nmlflow.log_metric("m", 1)');
      const secret = 'pa$$ w0rd';
      const script = buildNotebookRunScript(
        plan({ tracking: { runName: "train $(touch pwned) 'x'", notebookPath: 'dir/train.ipynb', sweepId: 'sweep-1' } })
      );
      const res = await runAsync(script, {
        ...withMlflow,
        MLFLOW_TRACKING_USERNAME: 'alice',
        MLFLOW_TRACKING_PASSWORD: secret,
        MLFLOW_WORKSPACE: 'team-a'
      }).done;
      expect(res.status).toBe(0);
      expect(calls()).toEqual([
        'GET /api/2.0/mlflow/experiments/get-by-name',
        'POST /api/2.0/mlflow/experiments/create',
        'POST /api/2.0/mlflow/runs/create',
        'POST /api/2.0/mlflow/runs/log-batch',
        'PUT /api/2.0/mlflow-artifacts/artifacts/10/r1/artifacts/train-out.ipynb',
        'POST /api/2.0/mlflow/runs/update'
      ]);
      const basic = `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`;
      for (const s of seen) {
        expect([s.headers.authorization, s.headers['x-mlflow-workspace']]).toEqual([basic, 'team-a']);
      }
      expect(bodyOf('experiments/create')).toEqual({ name: 'train' });
      const created = bodyOf('runs/create')!;
      expect(created).toMatchObject({ experiment_id: '10', run_name: "train $(touch pwned) 'x'", user_id: 'alice' });
      expect(Object.fromEntries((created.tags as { key: string; value: string }[]).map(t => [t.key, t.value]))).toEqual(
        {
          'mlflow.user': 'alice',
          'mlflow.source.name': 'dir/train.ipynb',
          'mlflow.source.type': 'NOTEBOOK',
          'primehub.job_id': 'job-20260101-abc',
          'primehub.sweep_id': 'sweep-1',
          'primehub.group': 'phusers'
        }
      );
      expect(bodyOf('log-batch')).toEqual({
        run_id: 'r1',
        params: [
          { key: 'lr', value: '0.1' },
          { key: 'name', value: "it's" }
        ]
      });
      expect(seen.find(s => s.method === 'PUT')!.body).toBe('{"cells": []}\n');
      expect(bodyOf('runs/update')).toMatchObject({ run_id: 'r1', status: 'FINISHED' });
      expect(record('mlflow')).toBe('r1 10 unset');
      expect(res.stderr).toMatch(/^MLflow: run "train \$\(touch pwned\) 'x'" in experiment "train": /m);
      expect(res.stdout + res.stderr).not.toContain(secret);
      expect(existsSync(join(root, 'pwned'))).toBe(false);
    });

    it('sends a token as a bearer', async () => {
      notebook('print(1)');
      const res = await runAsync(buildNotebookRunScript(plan()), { ...withMlflow, MLFLOW_TRACKING_TOKEN: 'tok-1' })
        .done;
      expect(res.status).toBe(0);
      expect(seen.every(s => s.headers.authorization === 'Bearer tok-1')).toBe(true);
    });

    it.each([
      ['a literal', ['import mlflow\nmlflow.set_experiment("lit")'], {}, { name: 'lit', kernel: true }],
      [
        'a parameter, with magics about',
        ['%pip install x\n!ls\nexp = "default-exp"', 'mlflow.set_experiment(experiment_name=exp)'],
        { exp: 'from-param' },
        { name: 'from-param', kernel: true }
      ],
      ['a string variable', ['exp = "var-exp"\nmlflow.set_experiment(exp)'], {}, { name: 'var-exp', kernel: true }],
      ['an id', ['mlflow.set_experiment(experiment_id="42")'], {}, { id: '42', kernel: true }],
      ['not the environment', ['print(1)'], { env: 'MLFLOW_EXPERIMENT_NAME' }, { name: 'train', kernel: true }],
      ['none: the file name', ['print(1)'], {}, { name: 'train', kernel: true }],
      ['a call, known only as it runs', ['mlflow.set_experiment(f"x-{1}")'], {}, { name: 'train', kernel: false }],
      ['another server', ['mlflow.set_tracking_uri("http://elsewhere:5000")'], {}, { name: 'train', kernel: false }]
    ])('puts the run where the notebook logs: %s', async (_, sources, extra, want) => {
      notebook(...sources);
      const { env: fromEnv, ...parameters } = extra as Record<string, string>;
      const script = buildNotebookRunScript(plan({ parameters }));
      const res = await runAsync(script, { ...withMlflow, ...(fromEnv ? { [fromEnv]: 'env-exp' } : {}) }).done;
      expect(res.status).toBe(0);
      const w = want as { name?: string; id?: string; kernel: boolean };
      if (w.name) {
        expect(new URL(seen[0].url, 'http://x').searchParams.get('experiment_name')).toBe(w.name);
      } else {
        expect(calls()[0]).toBe('POST /api/2.0/mlflow/runs/create');
        expect(bodyOf('runs/create')).toMatchObject({ experiment_id: w.id });
      }
      expect(record('mlflow')).toBe(
        w.kernel ? `r1 ${w.id ?? '10'} unset` : `unset unset ${fromEnv ? 'env-exp' : 'unset'}`
      );
      expect(/its own logging makes runs of its own/.test(res.stderr)).toBe(!w.kernel);
      expect(bodyOf('runs/update')).toMatchObject({ status: 'FINISHED' });
    });

    it('is a note and no run where MLflow refuses (401) or does not answer; the notebook runs as before', async () => {
      notebook('print(1)');
      const script = buildNotebookRunScript(plan());
      answer401 = true;
      const refused = await runAsync(script, withMlflow).done;
      expect(refused.status).toBe(0);
      expect(record('mlflow')).toBe('unset unset unset');
      expect(refused.stderr).toMatch(
        /^MLflow: not tracked \(HTTP 401: check the group's MLflow credentials\); the notebook runs as before\n$/
      );
      const down = await runAsync(script, { ...withMlflow, MLFLOW_TRACKING_URI: 'http://127.0.0.1:9/x' }).done;
      expect(down.status).toBe(0);
      expect(down.stderr).toMatch(/^MLflow: not tracked \(http:\/\/127\.0\.0\.1:9\/x did not answer: .*\)/);
    });

    it("leaves out what it cannot do: no mlflow in the image, an artifact store the job can't reach", async () => {
      notebook('print(1)');
      const script = buildNotebookRunScript(plan());
      const bare = await runAsync(script, { ...withMlflow, PYTHONPATH: '' }).done;
      expect([bare.status, bare.stderr, seen]).toEqual([0, '', []]);
      artifactUri = () => 's3://bucket/1/r1/artifacts';
      const s3 = await runAsync(script, withMlflow).done;
      expect(s3.status).toBe(0);
      expect(s3.stderr).toMatch(
        /^MLflow: the output notebook is only in the job's artifacts \(the job cannot upload to s3:\)$/m
      );
      expect(calls()).not.toContainEqual(expect.stringMatching(/^PUT/));
      expect(bodyOf('runs/update')).toMatchObject({ status: 'FINISHED' });
    });
  });

  it('reads back scripts of jobs made before MLflow runs, and scripts with one', () => {
    // a recurring job's script as the previous version wrote it (the failure summary's Python left out)
    const old = [
      '# primehub-suite notebook run',
      `vol="\${PRIMEHUB_GROUP_VOLUME_PATH:-}"; [ -n "$vol" ] && [ -d "$vol" ] || vol='/project/phusers'`,
      'phfs="${PRIMEHUB_PHFS_PATH:-/phfs}"; [ -d "$phfs" ] || phfs=/phfs',
      'export PRIMEHUB_ARTIFACTS_DIR="$HOME/artifacts"',
      'mkdir -p "$PRIMEHUB_ARTIFACTS_DIR"',
      `run="\${PHJOB_NAME:-}"; case "$run" in ''|*[!A-Za-z0-9._-]*) run="$(date -u +%Y%m%d%H%M%S)";; esac`,
      `mkdir -p -- "$(dirname -- "$vol"/'dir/report-'"$run"'-output.ipynb')"`,
      'if command -v papermill >/dev/null 2>&1 && command -v primehub-papermill >/dev/null 2>&1; then papermill() { primehub-papermill "$@"; }; fi',
      `cd -- "$vol"/'dir' || exit 1`,
      `papermill "$vol"/'dir/report.ipynb' "$vol"/'dir/report-'"$run"'-output.ipynb' -b 'eyJsciI6IDAuMSwgIm5hbWUiOiAiaXQncyJ9' --log-output`,
      'rc=$?',
      `if [ -f "$vol"/'dir/report-'"$run"'-output.ipynb' ]; then cp -- "$vol"/'dir/report-'"$run"'-output.ipynb' "$PRIMEHUB_ARTIFACTS_DIR"/'report-output.ipynb'; fi`,
      'exit $rc'
    ].join('\n');
    const expected = {
      input: { root: 'volume', path: 'dir/report.ipynb' },
      workdir: { root: 'volume', path: 'dir' },
      output: { root: 'volume', path: 'dir/report-job-1-output.ipynb' },
      outputPerRun: true,
      artifactName: 'report-output.ipynb',
      parameters: { lr: 0.1, name: "it's" }
    };
    expect(parseNotebookRunScript(old, 'job-1')).toEqual(expected);
    const now = buildNotebookRunScript({
      input: { root: 'volume', path: 'dir/report.ipynb' },
      workdir: { root: 'volume', path: 'dir' },
      output: { root: 'volume', path: 'dir/report--output.ipynb', runIdAt: 11 },
      artifactName: 'report-output.ipynb',
      volumeFallback: '/project/phusers',
      parameters: { lr: 0.1, name: "it's" },
      types: { lr: 'float' },
      tracking: { runName: 'report', notebookPath: 'dir/report.ipynb' }
    });
    expect(parseNotebookRunScript(now, 'job-1')).toEqual(expected);
    // the lines older versions read are still there as they were
    for (const line of old.split('\n').filter(l => /^(cd|papermill|if \[ -f) /.test(l))) {
      expect(now.split('\n')).toContain(line);
    }
  });
});
