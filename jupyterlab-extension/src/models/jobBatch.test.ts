import type { Job } from '@primehub-suite/client/browser';
import { batchSummary, type IBatchJob } from './jobBatch';

function entry(name: string, phase: string | null, failure = ''): IBatchJob {
  const ended = phase !== null && phase !== 'Running';
  return { job: { id: name, displayName: name, phase } as unknown as Job, output: null, ended, failure };
}

describe('one notification per submission', () => {
  it('follows one job from submitted to its end', () => {
    expect(batchSummary('train', [entry('train', 'Running')])).toMatchObject({
      message: 'Job "train" submitted',
      type: 'in-progress',
      done: false
    });
    expect(batchSummary('train', [entry('train', 'Succeeded')])).toMatchObject({
      message: 'Job "train" succeeded',
      type: 'success',
      done: true
    });
    expect(batchSummary('train', [entry('train', 'Failed', 'cell 2 (x = 1 / 0): ZeroDivisionError')])).toMatchObject({
      message: 'Job "train" failed: cell 2 (x = 1 / 0): ZeroDivisionError',
      type: 'error'
    });
    expect(batchSummary('train', [entry('train', 'Cancelled')])).toMatchObject({
      message: 'Job "train" was cancelled',
      type: 'warning'
    });
  });

  it("sums up a sweep's jobs in one line as they end", () => {
    const jobs = ['a', 'b', 'c'].map(n => entry(`sweep-lr=${n}`, 'Running'));
    expect(batchSummary('sweep', jobs).message).toBe('Sweep "sweep": 3 jobs submitted');
    jobs[0] = entry('sweep-lr=a', 'Failed', 'cell 1 (boom): ValueError: boom');
    expect(batchSummary('sweep', jobs)).toMatchObject({
      message: 'Sweep "sweep": 1 of 3 jobs ended (1 without success)',
      type: 'in-progress'
    });
    jobs[1] = entry('sweep-lr=b', 'Succeeded');
    jobs[2] = entry('sweep-lr=c', 'Succeeded');
    const done = batchSummary('sweep', jobs);
    expect(done).toMatchObject({
      message: 'Sweep "sweep": 1 of 3 jobs did not succeed; "sweep-lr=a" failed: cell 1 (boom): ValueError: boom',
      type: 'error',
      done: true
    });
    expect(done.failed?.job.id).toBe('sweep-lr=a');
    expect(
      batchSummary(
        'sweep',
        jobs.map(j => ({ ...j, job: { ...j.job, phase: 'Succeeded' } }))
      )
    ).toMatchObject({
      message: 'Sweep "sweep": all 3 jobs succeeded',
      type: 'success'
    });
  });
});
