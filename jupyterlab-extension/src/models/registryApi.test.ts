import { buildNotebookRunScript } from '@primehub-suite/client/notebook';
import {
  experimentCandidates,
  JOB_ID_TAG,
  MODEL_NAME,
  modelNameProblem,
  parseRun,
  runsOfJob,
  timestampOf,
  type IMlflowRun
} from './registryApi';

const notebookJob = buildNotebookRunScript({
  input: { root: 'volume', path: 'ml/.train iris-20260101000000000000.ipynb' },
  workdir: { root: 'volume', path: 'ml' },
  output: { root: 'volume', path: 'ml/train iris-20260101000000000000-output.ipynb' },
  artifactName: 'train iris-20260101000000000000-output.ipynb',
  volumeFallback: '/project/phusers',
  parameters: { exp: 'from-param', n: 2 }
});

function run(partial: Partial<IMlflowRun> & { runId: string }): IMlflowRun {
  return {
    runName: '',
    experimentId: '1',
    status: 'FINISHED',
    startTime: null,
    endTime: null,
    params: [],
    metrics: [],
    tags: {},
    ...partial
  };
}

describe('model names, as the server rules them', () => {
  it.each([
    ['iris', ''],
    ['iris_v2.final-1', ''],
    ['9lives', ''],
    ['', 'Enter a model name.'],
    ['my model', 'No spaces: use letters, digits, ".", "_" or "-".'],
    ['team/iris', 'No slashes: a model name is one part of models:/<name>/<version>.'],
    ['modèle', '"è" is not allowed: use ASCII letters, digits, ".", "_" or "-".'],
    ['iris:1', '":" is not allowed: use ASCII letters, digits, ".", "_" or "-".'],
    ['.hidden', 'Start with a letter or a digit.'],
    ['-x', 'Start with a letter or a digit.']
  ])('%j: %j', (name, problem) => {
    expect(modelNameProblem(name)).toBe(problem);
    // the same verdict as the server's rule
    expect(MODEL_NAME.test(name)).toBe(problem === '');
  });

  it('takes the longest name the server takes, and not one longer', () => {
    expect(modelNameProblem('a'.repeat(256))).toBe('');
    expect(modelNameProblem('a'.repeat(257))).toBe('At most 256 characters (this one has 257).');
    expect(MODEL_NAME.test('a'.repeat(257))).toBe(false);
  });
});

describe('runs as PrimeHub gives them', () => {
  it('reads info, params, metrics and tags; refuses what is no run', () => {
    const parsed = parseRun({
      info: { runId: 'r1', runName: 'C=1.0', experimentId: '3', status: 'FINISHED', startTime: '1700000000000' },
      data: {
        params: [{ key: 'C', value: '1.0' }],
        metrics: [{ key: 'accuracy', value: 0.97, step: 0 }],
        tags: [{ key: JOB_ID_TAG, value: 'job-1' }]
      }
    });
    expect(parsed).toEqual({
      runId: 'r1',
      runName: 'C=1.0',
      experimentId: '3',
      status: 'FINISHED',
      startTime: 1700000000000,
      endTime: null,
      params: [{ key: 'C', value: '1.0' }],
      metrics: [{ key: 'accuracy', value: '0.97' }],
      tags: { [JOB_ID_TAG]: 'job-1' }
    });
    expect(parseRun(null)).toBeNull();
    expect(parseRun({ info: {} })).toBeNull();
    expect(timestampOf('x')).toBeNull();
    expect(timestampOf(12)).toBe(12);
  });
});

describe("a job's experiments", () => {
  it("a script's set_experiment and MLFLOW_EXPERIMENT_NAME", () => {
    const command =
      "python - <<'EOF'\nimport mlflow\nmlflow.set_experiment('iris')\nEOF\nMLFLOW_EXPERIMENT_NAME=other python x.py";
    expect(experimentCandidates({ command })).toEqual(['iris', 'other']);
    expect(experimentCandidates({ command: 'mlflow.set_experiment(experiment_name="a b")' })).toEqual(['a b']);
    expect(experimentCandidates({ command: 'python train.py' })).toEqual([]);
    expect(experimentCandidates({ command: null })).toEqual([]);
  });

  it("a notebook job's: its notebook's set_experiment (a literal or a parameter), then its file name", () => {
    expect(experimentCandidates({ command: notebookJob })).toEqual(['train iris', 'train iris-20260101000000000000']);
    const notebook = JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: "set_experiment('not code')" },
        { cell_type: 'code', source: ['import mlflow\n', 'mlflow.set_experiment(exp)\n'] },
        { cell_type: 'code', source: "mlflow.set_experiment('fixed')" }
      ]
    });
    expect(experimentCandidates({ command: notebookJob }, notebook)).toEqual([
      'from-param',
      'fixed',
      'train iris',
      'train iris-20260101000000000000'
    ]);
    expect(experimentCandidates({ command: notebookJob }, 'not json')).toEqual([
      'train iris',
      'train iris-20260101000000000000'
    ]);
  });
});

describe("a job's runs", () => {
  const job = {
    id: 'job-1',
    displayName: 'train',
    startTime: '2026-01-01T00:00:10Z',
    finishTime: '2026-01-01T00:01:00Z'
  };
  const at = (s: number): number => Date.parse('2026-01-01T00:00:00Z') + s * 1000;

  it('the runs tagged with its id, and never those tagged with another', () => {
    const runs = [
      run({ runId: 'a', startTime: at(20), tags: { [JOB_ID_TAG]: 'job-1' } }),
      run({ runId: 'b', startTime: at(30), tags: { [JOB_ID_TAG]: 'job-2' } }),
      run({ runId: 'c', startTime: at(40), runName: 'train' })
    ];
    expect(runsOfJob(runs, job).map(r => r.runId)).toEqual(['a']);
    // a run the notebook started inside its job's run
    const child = run({ runId: 'child', startTime: at(25), tags: { 'mlflow.parentRunId': 'a' } });
    expect(runsOfJob([...runs, child], job).map(r => r.runId)).toEqual(['child', 'a']);
    expect(runsOfJob(runs.slice(1), job).map(r => r.runId)).toEqual(['c']);
  });

  it("else those named as the job is, else a script's own runs started while it ran, newest first", () => {
    const runs = [
      run({ runId: 'early', startTime: at(0) }),
      run({ runId: 'C=0.05', startTime: at(20) }),
      run({ runId: 'C=1.0', startTime: at(30) }),
      run({ runId: 'late', startTime: at(120) }),
      run({ runId: 'other-job', startTime: at(25), tags: { [JOB_ID_TAG]: 'job-9' } })
    ];
    expect(runsOfJob(runs, job).map(r => r.runId)).toEqual(['C=1.0', 'C=0.05']);
    // a job still running: until now
    expect(runsOfJob(runs, { ...job, finishTime: null }, at(200)).map(r => r.runId)).toEqual([
      'late',
      'C=1.0',
      'C=0.05'
    ]);
    // a job that never started has no runs
    expect(runsOfJob(runs, { ...job, startTime: null })).toEqual([]);
  });
});
