import type { Job } from '@primehub-suite/client';
import { buildNotebookRunScript } from '@primehub-suite/client/notebook';
import {
  externalUiBase,
  onExternalBase,
  formatMetric,
  notebookExperiment,
  notebookExperiments,
  runValuesText
} from './runs';

function job(id: string, phase: Job['phase'], extra: Partial<Job> = {}): Job {
  return {
    id,
    displayName: id,
    cancel: null,
    command: 'echo hi',
    groupId: 'g1',
    groupName: 'phusers',
    schedule: null,
    image: 'base-notebook',
    instanceType: null,
    userId: 'u1',
    userName: 'phuser',
    phase,
    reason: null,
    message: null,
    createTime: null,
    startTime: null,
    finishTime: null,
    activeDeadlineSeconds: null,
    logEndpoint: null,
    ...extra
  };
}

function notebookJob(id: string, path: string, root: 'volume' | 'phfs' = 'volume'): Job {
  const command = buildNotebookRunScript({
    input: { root, path },
    workdir: { root: 'volume', path: '' },
    artifactName: 'out.ipynb',
    volumeFallback: '/project/g',
    parameters: {}
  });
  return job(id, 'Succeeded', { command, displayName: id });
}

describe('runs as lists show them', () => {
  it('one line of params and metrics', () => {
    const run = {
      runId: 'r1',
      name: 'C=1.0',
      params: [
        ['C', '1.0'],
        ['max_iter', '500']
      ] as Array<[string, string]>,
      metrics: [['accuracy', 0.97333333]] as Array<[string, number]>,
      tags: {}
    };
    expect(runValuesText(run)).toBe('C=1.0 · max_iter=500 · accuracy=0.9733');
  });

  it('formats metrics to four significant digits', () => {
    expect([0.97333333, 12, 1234.5678, 0.000123456].map(formatMetric)).toEqual(['0.9733', '12', '1235', '0.0001235']);
  });

  it("reaches the MLflow UI as the window can: as it is, through a forwarded port, or code-server's proxy", () => {
    expect(externalUiBase('http://127.0.0.1:5000', 'http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000');
    expect(externalUiBase('http://127.0.0.1:5000/mlflow', 'http://localhost:41234/mlflow')).toBe(
      'http://localhost:41234/mlflow'
    );
    expect(externalUiBase('http://127.0.0.1:5000/', 'http://cs.example:8080/proxy/5000/')).toBe(
      'http://cs.example:8080/proxy/5000'
    );
    expect(externalUiBase('http://127.0.0.1:5000/mlflow/', 'http://cs.example:8080/proxy/5000/')).toBe(
      'http://cs.example:8080/proxy/5000/mlflow'
    );
    expect(externalUiBase('not a url', 'x')).toBe('not a url');
  });

  it("puts a signed-in page of PrimeHub Local's MLflow UI route on the window's address, ticket and fragment kept", () => {
    const ui = 'http://127.0.0.1:8321/mlflow-ui/phusers/';
    const link = `${ui}?ticket=T#/experiments/1/runs/r1`;
    const base = externalUiBase(ui, 'http://cs.example:8080/proxy/8321/');
    expect(base).toBe('http://cs.example:8080/proxy/8321/mlflow-ui/phusers');
    expect(onExternalBase(link, ui, base)).toBe(
      'http://cs.example:8080/proxy/8321/mlflow-ui/phusers/?ticket=T#/experiments/1/runs/r1'
    );
    expect(onExternalBase(link, ui, externalUiBase(ui, ui))).toBe(link);
    expect(onExternalBase('https://elsewhere/#/x', ui, base)).toBe('https://elsewhere/#/x');
  });
});
describe('experiments of notebook jobs', () => {
  it("are the notebooks' file names without .ipynb (a snapshot's leading dot dropped), each once", () => {
    const jobs = [
      notebookJob('j3', 'work/iris.ipynb'),
      notebookJob('j2', '.primehub-suite/snapshots/abc/.wine.ipynb', 'phfs'),
      notebookJob('j1', 'iris.ipynb'),
      job('j0', 'Succeeded', { command: 'python train.py' })
    ];
    expect(notebookExperiment(jobs[1])).toBe('wine');
    expect(notebookExperiment(jobs[3])).toBeUndefined();
    expect(notebookExperiments(jobs)).toEqual([
      { name: 'iris', source: 'notebook job j3' },
      { name: 'wine', source: 'notebook job j2' }
    ]);
  });
});
