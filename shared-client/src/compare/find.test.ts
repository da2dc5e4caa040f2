import { FeatureUnavailableError, NotFoundError } from '../errors';
import { notebookJob, primehubRun, SWEEP, sweepRuns } from '../testing/compareFixtures';
import { findRuns, jobsOfSchedule, jobsOfSweep, type RunsSource } from './find';

/** `client.models.mlflowRuns` over fixed experiments; an unknown one is NotFoundError, as PrimeHub answers. */
function mlflow(experiments: Record<string, unknown[]>): RunsSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    mlflowRuns: async (name: string) => {
      asked.push(name);
      if (!(name in experiments)) {
        throw new NotFoundError(`experiment ${name} does not exist`);
      }
      return experiments[name];
    }
  };
}

const sweepJobs = ['0.05', '0.5', '1.0'].map((c, i) =>
  notebookJob(`job-${i + 1}`, { C: Number(c) }, { sweepId: SWEEP, displayName: `train-iris-C=${c}` })
);

describe('finding runs', () => {
  it("a sweep's: the runs tagged with its id in its notebook's experiment, each with its job", async () => {
    const models = mlflow({ 'train-iris': [...sweepRuns(), ...sweepRuns('another-sweep'), primehubRun('x', 'x')] });
    const found = await findRuns(models, { sweepId: SWEEP, jobs: sweepJobs.slice(0, 2) });
    expect(found.runs.map(f => [f.run.runId, f.job?.id, f.job?.displayName, f.experiment])).toEqual([
      ['run1', 'job-1', 'train-iris-C=0.05', 'train-iris'],
      ['run2', 'job-2', 'train-iris-C=0.5', 'train-iris'],
      // a job not given: known by its run's tag
      ['run3', 'job-3', 'train-iris-C=1.0', 'train-iris']
    ]);
    expect(found.experiments).toEqual(['train-iris']);
    expect(found.jobsWithoutRuns).toEqual([]);
    expect(models.asked).toEqual(['train-iris']);
  });

  it("a sweep's runs come in the order its jobs were submitted, whichever started first", async () => {
    const at = (s: number): string => new Date(Date.parse('2026-01-01T12:00:00Z') + s * 1000).toISOString();
    const jobs = sweepJobs.map((j, i) => ({ ...j, createTime: at(i) }));
    // run3's job was submitted last but started first
    const raw = sweepRuns().map((r, i) => ({ ...r, info: { ...r.info, startTime: [5_000, 6_000, 1_000][i] } }));
    const found = await findRuns(mlflow({ 'train-iris': raw }), { sweepId: SWEEP, jobs });
    expect(found.runs.map(f => f.run.runId)).toEqual(['run1', 'run2', 'run3']);
  });

  it("a sweep's jobs without a run yet are said", async () => {
    const found = await findRuns(mlflow({ 'train-iris': sweepRuns().slice(0, 2) }), {
      sweepId: SWEEP,
      jobs: sweepJobs
    });
    expect(found.jobsWithoutRuns.map(j => j.id)).toEqual(['job-3']);
  });

  it("picked jobs': each one's own run (not the runs nested in it), each experiment asked once", async () => {
    const child = primehubRun('child', 'child', { tags: { 'mlflow.parentRunId': 'run2' } });
    const script = { ...notebookJob('script', {}), command: "python - <<'EOF'\nmlflow.set_experiment('iris')\nEOF" };
    const models = mlflow({
      'train-iris': [...sweepRuns(), child],
      iris: [primehubRun('s1', 'C=0.05', { start: 5_000 }), primehubRun('s2', 'C=1.0', { start: 6_000 })]
    });
    const found = await findRuns(models, { jobs: [sweepJobs[1], sweepJobs[2], script] });
    expect(found.runs.map(f => [f.run.runId, f.job?.id, f.by])).toEqual([
      ['run2', 'job-2', 'tag'],
      ['run3', 'job-3', 'tag'],
      // a script's own runs: started while it ran
      ['s2', 'script', 'time'],
      ['s1', 'script', 'time']
    ]);
    expect(models.asked.sort()).toEqual(['iris', 'train-iris']);
  });

  it("a job's notebook's set_experiment, when the notebook can be read", async () => {
    const notebook = JSON.stringify({ cells: [{ cell_type: 'code', source: "mlflow.set_experiment('iris-tuning')" }] });
    const run = primehubRun('r', 'job-1', { tags: { 'primehub.job_id': 'job-1' } });
    const found = await findRuns(
      mlflow({ 'iris-tuning': [run] }),
      { jobs: [sweepJobs[0]] },
      {
        notebookOf: async () => notebook
      }
    );
    expect(found.runs.map(f => [f.run.runId, f.experiment])).toEqual([['r', 'iris-tuning']]);
    // a notebook that cannot be read: its file name
    const unread = await findRuns(
      mlflow({ 'train-iris': [run] }),
      { jobs: [sweepJobs[0]] },
      {
        notebookOf: () => Promise.reject(new Error('gone'))
      }
    );
    expect(unread.runs.map(f => f.experiment)).toEqual(['train-iris']);
  });

  it('says which jobs have no run; an experiment MLflow does not have is passed over', async () => {
    const found = await findRuns(mlflow({}), { jobs: [sweepJobs[0]] });
    expect(found).toEqual({ runs: [], experiments: [], jobsWithoutRuns: [sweepJobs[0]] });
  });

  it('passes on what is no missing experiment: a group without MLflow, MLflow down', async () => {
    const models: RunsSource = {
      mlflowRuns: () => Promise.reject(new FeatureUnavailableError('MLFLOW_SETTING_NOT_FOUND'))
    };
    await expect(findRuns(models, { jobs: sweepJobs })).rejects.toBeInstanceOf(FeatureUnavailableError);
  });

  it("picks a sweep's and a recurring job's jobs", () => {
    const scheduled = { ...notebookJob('daily-1', {}), schedule: 'sched-1' };
    const jobs = [...sweepJobs, scheduled, notebookJob('alone', {})];
    expect(jobsOfSweep(jobs, SWEEP).map(j => j.id)).toEqual(['job-1', 'job-2', 'job-3']);
    expect(jobsOfSchedule(jobs, 'sched-1').map(j => j.id)).toEqual(['daily-1']);
  });
});
