import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import { FeatureUnavailableError, type Job } from '@primehub-suite/client/browser';
import { runModelFolders, type RunModelFolder } from '@primehub-suite/client/deployments';
import type { IPrimeHub } from '../tokens';
import { notebookPathsOf, originalOfSnapshot } from './notebookJobs';
import {
  experimentCandidates,
  experimentRuns,
  listModels,
  modelNameProblem,
  registerModel,
  registrationTarget,
  runsOfJob,
  type IMlflowRun,
  type IRegistered,
  type IRegistrationTarget
} from './registryApi';

/** Reads a notebook's JSON from the Lab's server (null when it cannot be read). */
export type NotebookReader = (serverPath: string) => Promise<string | null>;

/** A run already known to register from (a Compare tab's row): looked for first, chosen when found. */
export interface IPreferredRun {
  experiment?: string;
  runId?: string;
}

/**
 * "Register as model" for one job: finds the job's MLflow runs, lists the chosen run's artifact
 * folders (one holding `MLmodel` preselected), checks the model name as it is typed and says what
 * registering will do (a new model, or the next version of an existing one), then registers.
 * The dialog only renders this state.
 */
export class RegisterModelModel implements IDisposable {
  private readonly _changed = new Signal<this, void>(this);
  private _disposed = false;
  private _experiment = '';
  private _searched = '';
  private _searching = false;
  private _runs: IMlflowRun[] | null = null;
  private _onlyJobRuns = true;
  private _note = '';
  private _runId: string | null = null;
  private _folders: RunModelFolder[] | null = null;
  private _folder = '';
  private _name = '';
  private _nameTouched = false;
  private _target: IRegistrationTarget | null = null;
  private _existing: string[] = [];
  private _registering = false;
  private _result: IRegistered | null = null;
  private _error = '';
  private _unavailable = false;
  /** Answers for an earlier search, run or name are dropped. */
  private _searchId = 0;
  private _runSeq = 0;
  private readonly _targets = new Map<string, Promise<IRegistrationTarget>>();

  constructor(
    private readonly hub: IPrimeHub,
    readonly job: Job,
    private readonly readNotebook?: NotebookReader,
    private readonly preferred: IPreferredRun = {}
  ) {}

  /** Emitted whenever what the dialog shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The experiment field. */
  get experiment(): string {
    return this._experiment;
  }

  /** The experiment the runs shown are from ('' before a search found one). */
  get searched(): string {
    return this._searched;
  }

  get searching(): boolean {
    return this._searching;
  }

  /** The runs to pick from, newest first (null while none were looked up). */
  get runs(): ReadonlyArray<IMlflowRun> | null {
    return this._runs;
  }

  /** False when no run is recorded as the job's and the experiment's runs are all shown. */
  get onlyJobRuns(): boolean {
    return this._onlyJobRuns;
  }

  /** What the search found or did not ('' when nothing needs saying). */
  get note(): string {
    return this._note;
  }

  get runId(): string | null {
    return this._runId;
  }

  get run(): IMlflowRun | null {
    return this._runs?.find(r => r.runId === this._runId) ?? null;
  }

  /** The chosen run's artifact folders, models first (null while they are listed). */
  get folders(): ReadonlyArray<RunModelFolder> | null {
    return this._folders;
  }

  get folder(): string {
    return this._folder;
  }

  get name(): string {
    return this._name;
  }

  /** Why the name would be refused ('' when it is fine; nothing said before it is typed in). */
  get nameProblem(): string {
    return this._nameTouched || this._name ? modelNameProblem(this._name) : '';
  }

  /** What registering under the name will do (null while it is being found out or the name is bad). */
  get target(): IRegistrationTarget | null {
    return this._target;
  }

  /** The group's model names, for suggestions. */
  get existing(): ReadonlyArray<string> {
    return this._existing;
  }

  get registering(): boolean {
    return this._registering;
  }

  /** The version registered (then the dialog shows its URI). */
  get result(): IRegistered | null {
    return this._result;
  }

  /** The last failure, as describeError words it. */
  get error(): string {
    return this._error;
  }

  /** True when the group has no MLflow (so no runs and no registry). */
  get unavailable(): boolean {
    return this._unavailable;
  }

  get canRegister(): boolean {
    const folder = this._folders?.find(f => f.path === this._folder);
    return (
      !this._registering &&
      !this._result &&
      this._runId !== null &&
      folder?.isModel === true &&
      modelNameProblem(this._name) === '' &&
      this._target?.name === this._name
    );
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      Signal.clearData(this);
    }
  }

  /**
   * Loads the group's models and looks for the job's runs in the experiments its notebook or
   * command names, then in its notebook's own; the first with runs of the job is taken.
   */
  async start(): Promise<void> {
    const id = ++this._searchId;
    this._searching = true;
    this.emit();
    try {
      const [models, notebook] = await Promise.all([listModels(this.hub.client), this.notebookText()]);
      this._existing = models.map(m => m.name);
      const preferred = this.preferred.experiment ? [this.preferred.experiment] : [];
      const candidates = [...new Set([...preferred, ...experimentCandidates(this.job, notebook)])];
      let firstFound: string | null = null;
      for (const experiment of candidates) {
        const runs = await experimentRuns(this.hub.client, experiment);
        if (id !== this._searchId) {
          return;
        }
        firstFound ??= runs ? experiment : null;
        const mine = runs ? runsOfJob(runs, this.job) : [];
        if (mine.length) {
          this._experiment = experiment;
          this.suggestName(experiment);
          this.showRuns(experiment, mine, true, '');
          return;
        }
      }
      this._experiment = firstFound ?? candidates[0] ?? '';
      this._runs = [];
      this._note = candidates.length
        ? `No MLflow run of this job found in ${candidates.map(c => `"${c}"`).join(', ')}. Enter the experiment it logged to.`
        : 'Enter the MLflow experiment this job logged its runs to.';
    } catch (err) {
      if (id === this._searchId) {
        this.failed('Looking for the job\u2019s MLflow runs', err);
      }
    } finally {
      if (id === this._searchId) {
        this._searching = false;
        this.emit();
      }
    }
  }

  setExperiment(value: string): void {
    this._experiment = value;
    this.emit();
  }

  /**
   * Lists the runs of the experiment in the field: the job's, or all of them (with a note) when
   * none is recorded as the job's.
   */
  async findRuns(): Promise<void> {
    const experiment = this._experiment.trim();
    if (!experiment) {
      return;
    }
    const id = ++this._searchId;
    this._searching = true;
    this._error = '';
    this.emit();
    try {
      const runs = await experimentRuns(this.hub.client, experiment);
      if (id !== this._searchId) {
        return;
      }
      if (runs === null) {
        this.showRuns(experiment, [], true, `The group's MLflow has no experiment "${experiment}".`);
        return;
      }
      const mine = runsOfJob(runs, this.job);
      if (mine.length || runs.length === 0) {
        this.showRuns(experiment, mine, true, runs.length ? '' : `Experiment "${experiment}" has no runs.`);
      } else {
        const all = [...runs].sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
        this.showRuns(
          experiment,
          all,
          false,
          `No run in "${experiment}" is recorded as this job's: all its runs are listed, pick the one to register.`
        );
      }
      this.suggestName(experiment);
    } catch (err) {
      if (id === this._searchId) {
        this.failed(`Listing the runs of "${experiment}"`, err);
      }
    } finally {
      if (id === this._searchId) {
        this._searching = false;
        this.emit();
      }
    }
  }

  /** Chooses a run and lists its artifact folders, preselecting the first MLflow model. */
  async selectRun(runId: string | null): Promise<void> {
    const seq = ++this._runSeq;
    this._runId = runId;
    this._folders = null;
    this._folder = '';
    this.emit();
    if (runId === null) {
      return;
    }
    try {
      const folders = await runModelFolders(this.hub.client, runId);
      if (seq !== this._runSeq) {
        return;
      }
      this._folders = folders;
      this._folder = folders.find(f => f.isModel)?.path ?? '';
      this.emit();
    } catch (err) {
      if (seq === this._runSeq) {
        this._folders = [];
        this.failed('Listing the run\u2019s artifacts', err);
      }
    }
  }

  selectFolder(path: string): void {
    this._folder = path;
    this.emit();
  }

  /** The name as typed: checked at once; for a valid one, what registering would do is found out. */
  setName(name: string): void {
    this._name = name;
    this._nameTouched = true;
    this._target = null;
    this.emit();
    if (modelNameProblem(name) !== '') {
      return;
    }
    let target = this._targets.get(name);
    if (!target) {
      target = registrationTarget(this.hub.client, name, this._existing);
      this._targets.set(name, target);
      // a failed lookup is tried again when the name is typed again
      target.catch(() => this._targets.delete(name));
    }
    target.then(
      t => {
        if (this._name === name) {
          this._target = t;
          this.emit();
        }
      },
      err => {
        if (this._name === name) {
          this.failed(`Looking up model "${name}"`, err);
        }
      }
    );
  }

  /** Registers the chosen folder under the name; resolves with the new version (undefined on failure). */
  async register(): Promise<IRegistered | undefined> {
    if (!this.canRegister || this._runId === null) {
      return undefined;
    }
    this._registering = true;
    this._error = '';
    this.emit();
    try {
      const result = await registerModel(this.hub.client, {
        name: this._name,
        runId: this._runId,
        path: this._folder
      });
      this._result = result;
      if (!this._existing.includes(result.name)) {
        this._existing = [...this._existing, result.name];
      }
      // the next registration under this name is a version further
      this._targets.delete(result.name);
      return result;
    } catch (err) {
      this.failed('Registering the model', err);
      return undefined;
    } finally {
      this._registering = false;
      this.emit();
    }
  }

  private showRuns(experiment: string, runs: IMlflowRun[], onlyJobRuns: boolean, note: string): void {
    this._searched = experiment;
    this._runs = runs;
    this._onlyJobRuns = onlyJobRuns;
    this._note = note;
    this._error = '';
    this.emit();
    const preferred = runs.find(r => r.runId === this.preferred.runId);
    void this.selectRun((preferred ?? runs[0])?.runId ?? null);
  }

  /** The experiment's name as the model's, until the user types one. */
  private suggestName(experiment: string): void {
    if (!this._nameTouched && modelNameProblem(experiment) === '') {
      this.setName(experiment);
      this._nameTouched = false;
    }
  }

  /** The job's notebook as it is now (its `set_experiment`), for a notebook job this Lab can see. */
  private async notebookText(): Promise<string | null> {
    const input = notebookPathsOf(this.job, this.hub.config?.groupVolume ?? null)?.input;
    if (!input || !this.readNotebook) {
      return null;
    }
    // the snapshot is removed once the job ended; the original is what the user edits
    return (await this.readNotebook(input)) ?? (await this.readNotebook(originalOfSnapshot(input)));
  }

  private failed(what: string, err: unknown): void {
    if (err instanceof FeatureUnavailableError) {
      this._unavailable = true;
    }
    this._error = this.hub.describe(what, err);
    this.emit();
  }

  private emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }
}
