import type { Job, MLflowSetting, ModelVersion } from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import type { KeyValueStore } from '../vscode-objs/storage';
import { ModelsModel, type VersionDetail } from './ModelsModel';
import { parseMlflowRun, parseMlflowRuns } from '@primehub-suite/client/compare';
import { runModelFolders } from '@primehub-suite/client/deployments';
import { notebookExperiments, type ArtifactFolder, type ExperimentSuggestion, type RunSummary } from './runs';

/** How many of the group's newest jobs are read for their notebooks' experiments. */
const JOBS_FOR_EXPERIMENTS = 100;
/** How many experiments typed into Register Model are remembered per group. */
const RECENT_EXPERIMENTS = 10;
const RECENT_KEY = 'primehub.models.recentExperiments';

/** What Register Model registers: run `runId`'s artifact folder `path` as a version of model `name`. */
export interface RegisterSpec {
  name: string;
  runId: string;
  path: string;
}

/** A registered version, as MLflow answered. */
export interface Registered {
  name: string;
  version: string;
}

/**
 * The group's model registry (MLflow through PrimeHub's models API) for the Models view and the
 * Register Model command; keeps the ModelsModel current. No UI.
 */
export class ModelsManager {
  readonly model = new ModelsModel();

  /**
   * @param knownJobs the jobs the Jobs view listed (their notebooks name experiments); read from
   *   PrimeHub when it listed none
   * @param state where typed experiment names are remembered (names only)
   */
  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: Logger,
    private readonly knownJobs: () => readonly Job[],
    private readonly state: KeyValueStore
  ) {}

  /**
   * Lists the models, and again the versions of the models whose versions were looked at, into
   * the model; a failure is recorded (the view says why) and rethrown (the scheduler backs off).
   * `rereadDetails` has the versions' runs and deployments read again once the listing worked
   * (while MLflow does not answer, the ones shown stay).
   */
  async refresh(signal?: AbortSignal, rereadDetails = false): Promise<void> {
    if (this.connection.state !== 'signedIn') {
      this.model.clear();
      return;
    }
    try {
      const client = this.connection.client;
      const models = await client.models.list({ signal });
      const names = this.model.modelsWithVersions.filter(n => models.some(m => m.name === n));
      const versions = await Promise.all(
        names.map(name =>
          client.models.versions(name, { signal }).then(
            list => ({ name, list, error: undefined }),
            (error: unknown) => ({ name, list: undefined, error })
          )
        )
      );
      if (rereadDetails) {
        this.model.forgetDetails();
      }
      this.model.setModels(models);
      for (const v of versions) {
        if (v.list) {
          this.model.setVersions(v.name, v.list);
        } else {
          this.model.setVersionsError(v.name, v.error);
        }
      }
    } catch (e) {
      this.model.setError(e);
      this.connection.noteError(e);
      throw e;
    }
  }

  /** The versions of model `name`, newest first: as loaded, else from PrimeHub. */
  async versions(name: string, signal?: AbortSignal): Promise<readonly ModelVersion[]> {
    const known = this.model.versionsOf(name);
    if (known) {
      return known;
    }
    try {
      const list = await this.connection.call(c => c.models.versions(name, { signal }));
      this.model.setVersions(name, list);
      return this.model.versionsOf(name) ?? [];
    } catch (e) {
      this.model.setVersionsError(name, e);
      throw e;
    }
  }

  /** One version with its source run (params, metrics) and the group's MLflow UI: as read, else from PrimeHub. */
  async versionDetail(name: string, version: string, signal?: AbortSignal): Promise<VersionDetail> {
    const known = this.model.detailOf(name, version);
    if (known) {
      return known;
    }
    const v = await this.connection.call(c => c.models.version(name, version, { signal }));
    const { mlflow, ...rest } = v;
    const detail: VersionDetail = { version: rest, run: parseMlflowRun(v.run), mlflow };
    this.model.setDetail(name, version, detail);
    return detail;
  }

  /**
   * The address to open an MLflow UI page at: with a one-time sign-in ticket where PrimeHub Local serves the
   * group's UI behind its own sign-in, unchanged otherwise (the client's `models.uiLink`).
   */
  uiLink(url: string, signal?: AbortSignal): Promise<string> {
    return this.connection.call(c => c.models.uiLink(url, { signal }));
  }

  /** The group's MLflow (FeatureUnavailableError when it has none). */
  mlflow(signal?: AbortSignal): Promise<MLflowSetting | null> {
    return this.connection.call(c => c.models.mlflow({ signal }));
  }

  /** The runs of experiment `name`, newest first (NotFoundError when the group's MLflow has no such experiment). */
  async runs(experiment: string, signal?: AbortSignal): Promise<RunSummary[]> {
    return parseMlflowRuns(await this.connection.call(c => c.models.mlflowRuns(experiment, { signal })));
  }

  /** The folders of a run's artifacts (its MLflow 3 logged models among them), the ones holding `MLmodel` first. */
  async artifactFolders(runId: string, signal?: AbortSignal): Promise<ArtifactFolder[]> {
    return this.connection.call(c => runModelFolders(c, runId, { signal }));
  }

  /** Registers the run's folder as a new version of `name` (a new model if the group has none of that name). */
  async register(spec: RegisterSpec, signal?: AbortSignal): Promise<Registered> {
    const answer = await this.connection.call(c => c.models.register(spec, { signal }));
    const version = String(answer?.version ?? '');
    this.log.info(`registered ${spec.name} version ${version} from run ${spec.runId} (${spec.path})`);
    // the view shows the new model, and the new version where its model's versions are shown
    await this.refresh(signal).catch(() => undefined);
    return { name: spec.name, version };
  }

  /** `models:/<name>/<version>`, what deployments and `mlflow.pyfunc.load_model` take. */
  modelUri(name: string, version: string): string {
    return this.connection.client.models.modelUri(name, version);
  }

  /**
   * Experiment names to offer: the ones typed before in this group, then those of the group's
   * notebook jobs (a notebook job is an MLflow run in the experiment named after its notebook).
   */
  async experimentSuggestions(signal?: AbortSignal): Promise<ExperimentSuggestion[]> {
    let jobs = this.knownJobs();
    if (jobs.length === 0) {
      const listed: Job[] = [];
      try {
        for await (const job of this.connection.client.jobs.iterate({ signal, pageSize: JOBS_FOR_EXPERIMENTS })) {
          listed.push(job);
          if (listed.length === JOBS_FOR_EXPERIMENTS) {
            break;
          }
        }
      } catch (e) {
        // suggestions only: the name can still be typed
        this.log.warn(`listing jobs for their experiments: ${e instanceof Error ? e.message : String(e)}`);
      }
      jobs = listed;
    }
    const recent = this.recentExperiments().map(name => ({ name, source: 'used before' }));
    const fromJobs = notebookExperiments(jobs).filter(s => !recent.some(r => r.name === s.name));
    return [...recent, ...fromJobs];
  }

  /** Remembers an experiment Register Model used, for this profile and group. */
  async rememberExperiment(name: string): Promise<void> {
    const all = this.state.get<Record<string, string[]>>(RECENT_KEY) ?? {};
    const key = this.groupKey();
    all[key] = [name, ...(all[key] ?? []).filter(n => n !== name)].slice(0, RECENT_EXPERIMENTS);
    await this.state.update(RECENT_KEY, all);
  }

  private recentExperiments(): string[] {
    const names = this.state.get<Record<string, string[]>>(RECENT_KEY)?.[this.groupKey()];
    return Array.isArray(names) ? names.filter(n => typeof n === 'string') : [];
  }

  private groupKey(): string {
    const p = this.connection.profile;
    return `${p?.id ?? ''}/${p?.group ?? ''}`;
  }
}
