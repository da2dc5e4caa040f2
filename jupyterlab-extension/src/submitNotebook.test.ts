import { PartialSubmissionError, type NotebookRun } from '@primehub-suite/client/browser';
import { serverExtension } from './api';
import { submitNotebook, type ISubmitRequest, type ISubmittedJob } from './submitNotebook';
import type { IPrimeHub } from './tokens';

// The server extension's routes, faked: the snapshot and what is asked of it are what matter here.
jest.mock('./api', () => ({
  serverExtension: {
    snapshot: jest.fn(async () => ({
      snapshot: 'phusers/ui/.train-20260101000000000000.ipynb',
      output: 'phusers/ui/train-20260101000000000000-output.ipynb'
    })),
    watchSnapshot: jest.fn(async () => undefined),
    removeSnapshot: jest.fn(async () => undefined)
  }
}));

const ext = serverExtension as jest.Mocked<typeof serverExtension>;

function run(id: string, volumePath: string): NotebookRun {
  return {
    job: { id } as NotebookRun['job'],
    artifactName: volumePath.split('/').pop()!,
    output: { volumePath },
    wait: async () => ({ id }) as NotebookRun['job']
  };
}

function hub(notebook: Partial<IPrimeHub['client']['notebook']>): IPrimeHub {
  return { config: { groupVolume: 'phusers' }, client: { notebook } } as unknown as IPrimeHub;
}

const request: ISubmitRequest = {
  path: 'phusers/ui/train.ipynb',
  instanceType: 'cpu-1',
  image: 'base-notebook',
  timeoutMinutes: 5,
  name: 'train',
  parameters: { note: 'x' },
  declared: [{ name: 'lr', type: 'float' }]
};

beforeEach(() => jest.clearAllMocks());

describe('submitNotebook', () => {
  it('runs the snapshot in place, the output beside the original, and hands the snapshot to the server', async () => {
    const runNotebook = jest.fn(async () => run('job-1', 'ui/train-20260101000000000000-output.ipynb'));
    const result = await submitNotebook(hub({ run: runNotebook }), request);
    expect(runNotebook).toHaveBeenCalledWith(
      expect.objectContaining({
        displayName: 'train',
        notebook: { volumePath: 'ui/.train-20260101000000000000.ipynb' },
        // the snapshot's MLflow run is named after the notebook, not the snapshot
        notebookPath: 'ui/train.ipynb',
        output: 'beside',
        outputName: 'train-20260101000000000000-output.ipynb',
        activeDeadlineSeconds: 300,
        parameters: { note: 'x' }
      }),
      {}
    );
    // The group the form showed is the one the job goes to.
    await submitNotebook(hub({ run: runNotebook }), { ...request, group: 'team_b' });
    expect(runNotebook).toHaveBeenLastCalledWith(expect.anything(), { group: 'team_b' });
    expect(result.jobs).toEqual([
      { job: { id: 'job-1' }, output: 'phusers/ui/train-20260101000000000000-output.ipynb' }
    ]);
    expect(ext.watchSnapshot).toHaveBeenCalledWith('phusers/ui/.train-20260101000000000000.ipynb', ['job-1']);
    expect(ext.removeSnapshot).not.toHaveBeenCalled();
  });

  it('names sweep outputs after the snapshot and each combination', async () => {
    const runSweep = jest.fn(async () => [run('a', 'ui/x-output.ipynb'), run('b', 'ui/y-output.ipynb')]);
    await submitNotebook(hub({ runSweep }), { ...request, sweep: { lr: [0.1, 0.2] } });
    const spec = (runSweep.mock.calls[0] as unknown[])[0] as { outputName: (n: string, i: number) => string };
    expect(spec.outputName('train-lr=0.1', 0)).toBe('train-20260101000000000000-lr=0.1-output.ipynb');
    expect(ext.watchSnapshot).toHaveBeenCalledWith(expect.any(String), ['a', 'b']);
  });

  it('a sweep stopped part-way reports the jobs that exist and keeps the snapshot for them', async () => {
    const made = [run('a', 'ui/a-output.ipynb'), run('b', 'ui/b-output.ipynb')];
    const cause = new Error('token expired');
    const runSweep = jest.fn(async () => {
      throw new PartialSubmissionError('the sweep stopped after 2 of 3 jobs (a, b): token expired', made, 3, {
        cause
      });
    });
    const err = await submitNotebook(hub({ runSweep }), { ...request, sweep: { lr: [1, 2, 3] } }).catch(e => e);
    expect(err).toBeInstanceOf(PartialSubmissionError);
    expect(err.message).toMatch(/2 of 3 jobs \(a, b\)/);
    expect(err.cause).toBe(cause);
    expect((err.submitted as ISubmittedJob[]).map(s => [s.job.id, s.output])).toEqual([
      ['a', 'phusers/ui/a-output.ipynb'],
      ['b', 'phusers/ui/b-output.ipynb']
    ]);
    expect(ext.watchSnapshot).toHaveBeenCalledWith(expect.any(String), ['a', 'b']);
    expect(ext.removeSnapshot).not.toHaveBeenCalled();
  });

  it('removes the snapshot when no job was created', async () => {
    const runNotebook = jest.fn(async () => {
      throw new Error('quota exceeded');
    });
    await expect(submitNotebook(hub({ run: runNotebook }), request)).rejects.toThrow('quota exceeded');
    expect(ext.removeSnapshot).toHaveBeenCalledWith('phusers/ui/.train-20260101000000000000.ipynb');
    expect(ext.watchSnapshot).not.toHaveBeenCalled();
  });

  it('a recurring job keeps its snapshot for every run', async () => {
    const schedule = jest.fn(async () => ({ schedule: { id: 's-1' }, artifactName: 'x.ipynb' }));
    const result = await submitNotebook(hub({ schedule } as never), { ...request, recurrence: { type: 'daily' } });
    expect(result).toEqual({ jobs: [], schedule: { id: 's-1' } });
    expect(ext.watchSnapshot).not.toHaveBeenCalled();
    expect(ext.removeSnapshot).not.toHaveBeenCalled();
  });
});
