import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildNotebookRunScript,
  FAST_PAPERMILL,
  isNotebookRunScript,
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
      'echo \'{"cells": []}\' > "$2"',
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
});
