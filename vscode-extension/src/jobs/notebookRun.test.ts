import { buildNotebookRunScript } from '@primehub-suite/client/notebook';
import { jobNameOf, kindOfValue, outputNameOf, planNotebookRerun, planNotebookRun, rerunSourceOf } from './notebookRun';

const where = { instanceType: 'cpu-1', image: 'base-notebook' };
const declared = [{ name: 'lr', type: 'float' as const }];

describe('planNotebookRun', () => {
  it('runs a notebook on the group volume in place, its output beside it', () => {
    const { spec, output } = planNotebookRun({
      ...where,
      notebook: { fsPath: '/project/ml/exp/train.ipynb', content: '{}', volumePath: 'exp/train.ipynb' },
      parameters: { lr: 0.1 },
      declared
    });
    expect(spec).toMatchObject({
      displayName: 'train',
      notebook: { volumePath: 'exp/train.ipynb' },
      output: 'beside',
      outputName: 'train-output.ipynb',
      parameters: { lr: 0.1 },
      declared
    });
    expect(output).toEqual({ kind: 'beside', localPath: '/project/ml/exp/train-output.ipynb' });
  });

  it('runs any other notebook from a snapshot of its content; the output comes from the artifacts', () => {
    const { spec, output } = planNotebookRun({
      ...where,
      notebook: { fsPath: '/home/me/my nb (1).ipynb', content: '{"cells":[]}' },
      parameters: {},
      declared: []
    });
    expect(spec.notebook).toEqual({ content: '{"cells":[]}', name: 'my nb (1).ipynb' });
    expect(spec.output).toBe(false);
    expect(spec.displayName).toBe('my-nb-1');
    expect(output).toEqual({ kind: 'artifact', localPath: '/home/me/my nb (1)-output.ipynb' });
  });

  it('names outputs and jobs after the file', () => {
    expect(outputNameOf('a.b.IPYNB')).toBe('a.b-output.ipynb');
    expect(jobNameOf('---.ipynb')).toBe('notebook');
  });
});

describe('rerunning a notebook job with edited values', () => {
  const script = (input: { root: 'volume' | 'phfs'; path: string }, output?: string) =>
    buildNotebookRunScript({
      input,
      workdir: { root: 'volume', path: 'exp' },
      artifactName: 'train-output.ipynb',
      output: output ? { root: 'volume', path: output } : undefined,
      volumeFallback: '/project/ml',
      parameters: { lr: 0.1, note: 'a\nb' },
      types: { lr: 'float', note: 'str' }
    });
  const job = {
    displayName: 'train',
    instanceType: { name: 'cpu-2' },
    image: 'img',
    activeDeadlineSeconds: null
  } as const;

  it('reads any editor’s notebook job back and reruns the same notebook with the new values', () => {
    const source = rerunSourceOf({
      command: script({ root: 'volume', path: 'exp/train.ipynb' }, 'exp/train-output.ipynb')
    })!;
    expect(source).toEqual({
      volumePath: 'exp/train.ipynb',
      artifactName: 'train-output.ipynb',
      parameters: { lr: 0.1, note: 'a\nb' },
      outputVolumePath: 'exp/train-output.ipynb'
    });
    const spec = planNotebookRerun({ job, source, parameters: { lr: 0.5, note: 'c' }, declared });
    expect(spec).toMatchObject({
      displayName: 'train',
      instanceType: 'cpu-2',
      image: 'img',
      notebook: { volumePath: 'exp/train.ipynb' },
      output: { volumePath: 'exp/train-output.ipynb' },
      outputName: 'train-output.ipynb',
      parameters: { lr: 0.5, note: 'c' }
    });
  });

  it('reruns a snapshot job from its output notebook, and says so when that is missing', () => {
    const source = rerunSourceOf({
      command: script({ root: 'phfs', path: '.primehub-suite/snapshots/x/.train.ipynb' })
    })!;
    expect(source.volumePath).toBeUndefined();
    expect(() => planNotebookRerun({ job, source, parameters: {}, declared: [] })).toThrow(/output notebook/);
    const spec = planNotebookRerun({ job, source, parameters: { lr: 1 }, declared, outputContent: '{"cells":[]}' });
    expect(spec.notebook).toEqual({ content: '{"cells":[]}', name: 'train-output.ipynb' });
    expect(spec.output).toBe(false);
  });

  it('reruns the original of a JupyterLab snapshot (the snapshot is gone once the job ended)', () => {
    const source = rerunSourceOf({
      command: script({ root: 'volume', path: 'exp/.train-20260101120000000000.ipynb' })
    })!;
    expect(source.volumePath).toBe('exp/train.ipynb');
  });

  it('leaves other jobs alone', () => {
    expect(rerunSourceOf({ command: 'python train.py' })).toBeUndefined();
    expect(rerunSourceOf({ command: null })).toBeUndefined();
  });

  it('types values when the notebook cannot be read', () => {
    expect([null, 's', true, 2, 2.5, [1], { a: 1 }].map(kindOfValue)).toEqual([
      'None',
      'str',
      'bool',
      'int',
      'float',
      'list',
      'dict'
    ]);
  });
});
