/**
 * The MLflow runs of jobs, found through PrimeHub's `mlflowRuns` field (so on a real PrimeHub as on
 * PrimeHub Local): a sweep's runs (tag `primehub.sweep_id`), a recurring job's runs (its jobs) or
 * any jobs a user picks, each run with the job it belongs to.
 */
import { NotFoundError } from '../errors';
import type { GroupCallOptions, Job } from '../types';
import { experimentCandidates, sweepExperiment, sweepIdOf } from './experiments';
import { JOB_ID_TAG, parseMlflowRuns, runsOfJob, SWEEP_ID_TAG, type MlflowRun, type RunMatch } from './runs';

/** What of `client.models` finding runs uses. */
export interface RunsSource {
  mlflowRuns(experimentName: string, opts?: GroupCallOptions): Promise<unknown[]>;
}

/** What of a job Compare shows and matches runs with. */
export type CompareJob = Pick<Job, 'id' | 'displayName' | 'command'> &
  Partial<Pick<Job, 'phase' | 'createTime' | 'startTime' | 'finishTime' | 'schedule'>>;

/** A run and the job it belongs to. */
export interface FoundRun {
  run: MlflowRun;
  /** The experiment's name. */
  experiment: string;
  /** The job the run belongs to (from the job's list, or only its id from the run's tag). */
  job?: CompareJob | { id: string; displayName?: string };
  /** How the run was told to be the job's. */
  by: RunMatch;
}

/** What was found, and what was not. */
export interface FoundRuns {
  runs: FoundRun[];
  /** The experiments asked for that the group's MLflow has. */
  experiments: string[];
  /** Jobs with no run found (not yet started, no MLflow in the image, a script logging elsewhere). */
  jobsWithoutRuns: CompareJob[];
}

/** Where runs are looked for: jobs (picked, or a recurring job's), or a sweep (its id, and its jobs when known). */
export type CompareSource = { jobs: readonly CompareJob[] } | { sweepId: string; jobs?: readonly CompareJob[] };

export interface FindRunsOptions extends GroupCallOptions {
  /** A notebook job's notebook JSON when it can be read (for its `set_experiment`); null when it cannot. */
  notebookOf?: (job: CompareJob) => Promise<string | null>;
  /** More experiments to look in (e.g. typed by the user). */
  experiments?: readonly string[];
}

/** The jobs of a recurring job (`Job.schedule` holds its id), newest first as listed. */
export function jobsOfSchedule<J extends CompareJob>(jobs: readonly J[], scheduleId: string): J[] {
  return jobs.filter(j => j.schedule === scheduleId);
}

/** The jobs of one sweep among `jobs` (their run scripts carry its id). */
export function jobsOfSweep<J extends CompareJob>(jobs: readonly J[], sweepId: string): J[] {
  return jobs.filter(j => sweepIdOf(j) === sweepId);
}

/** Each experiment's runs, asked once; null for an experiment the group's MLflow does not have. */
class ExperimentRuns {
  private readonly asked = new Map<string, Promise<MlflowRun[] | null>>();

  constructor(
    private readonly source: RunsSource,
    private readonly opts: GroupCallOptions
  ) {}

  get(experiment: string): Promise<MlflowRun[] | null> {
    let runs = this.asked.get(experiment);
    if (!runs) {
      runs = this.source.mlflowRuns(experiment, this.opts).then(parseMlflowRuns, (e: unknown) => {
        if (e instanceof NotFoundError) {
          return null;
        }
        throw e;
      });
      this.asked.set(experiment, runs);
    }
    return runs;
  }

  async found(): Promise<string[]> {
    const names = [...this.asked.keys()];
    const runs = await Promise.all(names.map(n => this.asked.get(n)));
    return names.filter((_, i) => runs[i] !== null);
  }
}

/** A job's own runs: its tagged runs (not the ones nested in them), or those told by name or time. */
async function runsOfOneJob(
  job: CompareJob,
  candidates: readonly string[],
  experiments: ExperimentRuns
): Promise<FoundRun[]> {
  for (const experiment of candidates) {
    const runs = await experiments.get(experiment);
    if (!runs) {
      continue;
    }
    const mine = runsOfJob(job, runs);
    if (mine.by !== 'none') {
      const own = mine.by === 'tag' ? mine.runs.filter(r => r.tags[JOB_ID_TAG] === job.id) : mine.runs;
      return own.map(run => ({ run, experiment, job, by: mine.by }));
    }
  }
  return [];
}

/**
 * The MLflow runs of `source`. Jobs: each job's runs in the experiments its notebook or command
 * names, else its notebook's; a sweep: the runs tagged with its id in its notebook's experiment
 * (each with its job, from `jobs` or its tag). Runs come in the order of the jobs given, a
 * sweep's as its jobs started. An experiment the group's MLflow does not have is passed over; any other error
 * (no MLflow in the group, MLflow down) is thrown.
 */
export async function findRuns(
  models: RunsSource,
  source: CompareSource,
  opts: FindRunsOptions = {}
): Promise<FoundRuns> {
  const { notebookOf, experiments: extra = [], ...call } = opts;
  const experiments = new ExperimentRuns(models, call);
  const jobs = source.jobs ?? [];
  const candidatesOf = async (job: CompareJob): Promise<string[]> => {
    const notebook = notebookOf ? await notebookOf(job).catch(() => null) : null;
    return [...new Set([...experimentCandidates(job, notebook), ...extra])];
  };
  const found: FoundRun[] = [];
  const without: CompareJob[] = [];
  if ('sweepId' in source) {
    const names = new Set<string>(extra);
    for (const job of jobs) {
      for (const name of await candidatesOf(job)) {
        names.add(name);
      }
    }
    const named = sweepExperiment(source.sweepId);
    if (named) {
      names.add(named);
    }
    const seen = new Set<string>();
    for (const experiment of names) {
      for (const run of (await experiments.get(experiment)) ?? []) {
        if (run.tags[SWEEP_ID_TAG] === source.sweepId && !seen.has(run.runId)) {
          seen.add(run.runId);
          const id = run.tags[JOB_ID_TAG];
          const job = jobs.find(j => j.id === id) ?? (id ? { id, displayName: run.name } : undefined);
          found.push({ run, experiment, job, by: 'tag' });
        }
      }
    }
    // in the order the sweep's jobs were submitted (they may start in any order)
    const created = (f: FoundRun): number => {
      const at = f.job && 'createTime' in f.job ? Date.parse(f.job.createTime ?? '') : NaN;
      return Number.isFinite(at) ? at : (f.run.startTime ?? 0);
    };
    found.sort((a, b) => created(a) - created(b) || (a.run.startTime ?? 0) - (b.run.startTime ?? 0));
    without.push(...jobs.filter(j => !found.some(f => f.job?.id === j.id)));
  } else {
    // every job's experiments are asked for at once; each experiment once
    const perJob = await Promise.all(jobs.map(async job => runsOfOneJob(job, await candidatesOf(job), experiments)));
    // a run told by time may fit two jobs that ran together: it is the first one's
    const seen = new Set<string>();
    perJob.forEach((runs, i) => {
      const fresh = runs.filter(r => !seen.has(r.run.runId));
      fresh.forEach(r => seen.add(r.run.runId));
      if (fresh.length > 0) {
        found.push(...fresh);
      } else {
        without.push(jobs[i]);
      }
    });
  }
  return { runs: found, experiments: await experiments.found(), jobsWithoutRuns: without };
}
