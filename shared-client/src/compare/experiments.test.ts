import { buildNotebookRunScript } from '../notebook/runScript';
import { notebookJob, SWEEP } from '../testing/compareFixtures';
import { experimentCandidates, notebookRunTags, originalOfSnapshot, sweepExperiment, sweepIdOf } from './experiments';

const snapshotJob = buildNotebookRunScript({
  input: { root: 'phfs', path: '.primehub-suite/snapshots/x/.train iris-20260101000000000000.ipynb' },
  workdir: { root: 'volume', path: 'ml' },
  artifactName: 'out.ipynb',
  volumeFallback: '/project/phusers',
  parameters: { exp: 'from-param', n: 2 }
});

describe("a notebook job's MLflow run", () => {
  it('is named, tagged and swept as its run script says', () => {
    const job = notebookJob('train-iris-C=0.5', { C: 0.5 }, { sweepId: SWEEP });
    expect(notebookRunTags(job)).toEqual({
      runName: 'train-iris-C=0.5',
      notebookPath: 'ml/train-iris.ipynb',
      sweepId: SWEEP
    });
    expect(sweepIdOf(job)).toBe(SWEEP);
    expect(sweepIdOf(notebookJob('single', { C: 1 }))).toBeUndefined();
    expect(notebookRunTags({ command: 'python train.py' })).toBeUndefined();
    expect(notebookRunTags(null)).toBeUndefined();
  });

  it("is in the experiment its sweep's id begins with", () => {
    expect(sweepExperiment(SWEEP)).toBe('train-iris');
    expect(sweepExperiment('a-b-20260101120000-00ff00')).toBe('a-b');
    expect(sweepExperiment('no sweep')).toBeUndefined();
  });

  it("names a snapshot's original", () => {
    expect(originalOfSnapshot('ml/.train iris-20260101000000000000.ipynb')).toBe('ml/train iris.ipynb');
    expect(originalOfSnapshot('ml/train.ipynb')).toBe('ml/train.ipynb');
  });
});

describe("a job's experiments", () => {
  it("a script's: what its command names", () => {
    const command = "MLFLOW_EXPERIMENT_NAME=other python - <<'EOF'\nmlflow.set_experiment('iris')\nEOF";
    expect(experimentCandidates({ command })).toEqual(['iris', 'other']);
    expect(experimentCandidates({ command: 'mlflow.set_experiment(experiment_name="a b")' })).toEqual(['a b']);
    expect(experimentCandidates({ command: 'python train.py' })).toEqual([]);
    expect(experimentCandidates({ command: null })).toEqual([]);
  });

  it("a notebook job's: its notebook's set_experiment (a literal, a parameter, a variable), then its file name", () => {
    expect(experimentCandidates(notebookJob('j', {}))).toEqual(['train-iris']);
    expect(experimentCandidates({ command: snapshotJob })).toEqual(['train iris', 'train iris-20260101000000000000']);
    const notebook = JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: "set_experiment('not code')" },
        { cell_type: 'code', source: ['import mlflow\n', 'mlflow.set_experiment(exp)\n'] },
        { cell_type: 'code', source: "name = 'by-variable'\nmlflow.set_experiment(name)" },
        { cell_type: 'code', source: "mlflow.set_experiment('fixed')" }
      ]
    });
    expect(experimentCandidates({ command: snapshotJob }, notebook)).toEqual([
      'from-param',
      'by-variable',
      'fixed',
      'train iris',
      'train iris-20260101000000000000'
    ]);
    expect(experimentCandidates({ command: snapshotJob }, 'not json')).toEqual([
      'train iris',
      'train iris-20260101000000000000'
    ]);
  });
});
