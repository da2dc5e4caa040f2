import { NotFoundError, type Job, type Model } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { pickOrType } from '../ui/dialogs/pickOrType';
import { JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { ModelNode, ModelRunNode, ModelVersionNode } from '../ui/models/ModelsTreeDataProvider';
import { isObject, type CommandArgs } from '../util/commandArgs';
import type { ModelsManager, Registered, RegisterSpec } from './ModelsManager';
import { MODEL_NAME_PATTERN, modelNameProblem, registerActionText } from './modelName';
import { formatTime } from './modelsText';
import { runsOfJob, runUiUrl, type RunMatch } from '@primehub-suite/client/compare';
import {
  externalUiBase,
  notebookExperiment,
  onExternalBase,
  runValuesText,
  type ExperimentSuggestion,
  type RunSummary
} from './runs';

/** Where Register Model starts: nothing (the palette), a model (a new version of it), a job (its run), or a spec (tests). */
type RegisterFrom = ModelNode | JobNode | Partial<RegisterSpec> | undefined;

/** A QuickPick's items once loaded; `empty` is said instead of an empty pick. */
interface Loaded<T> {
  items: T[];
  active?: T;
  /** Picked without asking. */
  auto?: T;
  /** The pick's title, now that its items are known. */
  title?: string;
  empty?: string;
}

interface RunItem extends vscode.QuickPickItem {
  run: RunSummary;
}

interface FolderItem extends vscode.QuickPickItem {
  path: string;
}

interface NameItem extends vscode.QuickPickItem {
  name?: string;
}

/** A run picked for registering, and the experiment it is in. */
interface PickedRun {
  experiment: string;
  run: RunSummary;
}

/**
 * Models commands: refresh the Models view, Register Model (experiment → run → artifact folder →
 * new model or new version, from the palette, a model or a job), copy a version's `models:/` URI,
 * open a run in the MLflow UI.
 */
export class ModelsCommands {
  constructor(
    private readonly models: ModelsManager,
    private readonly errors: ErrorCommands
  ) {}

  /**
   * Registers the `primehub.models.*` commands. Nodes count only as their views gave them; a
   * register spec only in tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.models.refresh', () => this.refresh()),
      commands.register('primehub.models.register', (args, from) =>
        this.register(args.accept(from, { nodes: [ModelNode], inTests: isObject<Partial<RegisterSpec>> }))
      ),
      commands.register('primehub.models.registerFromJob', (args, node) =>
        this.register(args.accept(node, { nodes: [JobNode] }))
      ),
      commands.register('primehub.models.copyUri', (args, node) =>
        this.copyUri(args.accept(node, { nodes: [ModelVersionNode] }))
      ),
      commands.register('primehub.models.openRun', (args, node) =>
        this.openRun(args.accept(node, { nodes: [ModelRunNode, ModelVersionNode] }))
      )
    ];
  }

  /** Lists the models again, and the versions and runs shown. */
  async refresh(): Promise<void> {
    try {
      await this.models.refresh(undefined, true);
    } catch (e) {
      // the view itself says that the group has no MLflow or that MLflow does not answer
      const status = this.models.model.status;
      if (status !== 'unavailable' && status !== 'unreachable') {
        this.errors.report('Refreshing the models', e, () => this.refresh());
      }
    }
  }

  /**
   * "Register Model": picks an MLflow run (its experiment, then the run; from a job, the job's
   * own run), the run's folder holding the model, and the model to add a version to or a new
   * model's name; says which of the two it does before it does it.
   */
  async register(from?: RegisterFrom): Promise<Registered | undefined> {
    let done: Registered | undefined;
    await this.errors.guard('Registering the model', async () => {
      if (isSpec(from)) {
        done = await this.errors.withProgress(`Registering ${from.name}…`, signal =>
          this.models.register(from, signal)
        );
        return;
      }
      const job = from instanceof JobNode ? from.job : undefined;
      // from a model: that model comes first among the names offered
      const preferred = from instanceof ModelNode ? from.model.name : undefined;
      const picked = await this.pickRun(job);
      if (picked) {
        done = await this.registerPicked(picked, preferred);
      }
    });
    return done;
  }

  /** "Register Model" from a run already chosen (Compare's best run): its model folder, then the model. */
  async registerRun(experiment: string, run: RunSummary): Promise<Registered | undefined> {
    let done: Registered | undefined;
    await this.errors.guard('Registering the model', async () => {
      done = await this.registerPicked({ experiment, run });
    });
    return done;
  }

  /** The run's model folder, the model to add a version to (or a new one), then registering it. */
  private async registerPicked(picked: PickedRun, preferred?: string): Promise<Registered | undefined> {
    const path = await this.pickFolder(picked.run);
    if (path === undefined) {
      return undefined;
    }
    if (!this.models.model.loaded) {
      await this.models.refresh();
    }
    const name = await this.askName(preferred ?? picked.experiment, this.models.model.models, picked.experiment);
    if (!name) {
      return undefined;
    }
    const doing = registerActionText(name, this.models.model.models)
      .replace(/^Creates/, 'Creating')
      .replace(/^Adds/, 'Adding');
    const spec = { name, runId: picked.run.runId, path };
    const registered = await this.errors.withProgress(`${doing}…`, signal => this.models.register(spec, signal));
    await this.models.rememberExperiment(picked.experiment);
    const uri = this.models.modelUri(registered.name, registered.version);
    void vscode.window
      .showInformationMessage(`Registered ${registered.name} version ${registered.version}: ${uri}`, 'Copy Model URI')
      .then(choice => {
        if (choice) {
          void this.copyText(uri);
        }
      });
    return registered;
  }

  /** Copies a version's `models:/<name>/<version>` URI. */
  async copyUri(node?: ModelVersionNode): Promise<void> {
    if (node) {
      await this.errors.guard('Copying the model URI', () =>
        this.copyText(this.models.modelUri(node.modelName, node.version.version))
      );
    }
  }

  /** Opens the MLflow UI's page of a version's source run (the group's `uiUrl`). */
  async openRun(node?: ModelRunNode | ModelVersionNode): Promise<void> {
    if (!node) {
      return;
    }
    await this.errors.guard('Opening the run in the MLflow UI', async () => {
      const { run, mlflow } =
        node instanceof ModelRunNode ? node : await this.models.versionDetail(node.modelName, node.version.version);
      if (!run?.experimentId) {
        void vscode.window.showInformationMessage('This version has no MLflow run to open.');
        return;
      }
      if (!mlflow?.uiUrl) {
        void vscode.window.showInformationMessage("The group's MLflow settings have no UI address (uiUrl).");
        return;
      }
      await this.openMlflowPage(mlflow.uiUrl, runUiUrl(mlflow.uiUrl, run.experimentId, run.runId));
    });
  }

  /**
   * Opens `page` of the group's MLflow UI at `uiUrl` in the browser: signed in first where PrimeHub Local serves
   * it (a one-time ticket, so the browser never asks for MLflow's password), then at the address this window
   * reaches it at (a forwarded port, code-server's proxy).
   */
  async openMlflowPage(uiUrl: string, page: string): Promise<void> {
    const link = await this.models.uiLink(page);
    // a loopback MLflow through the window's port forwarding or proxy, whose address may keep no path
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(uiUrl));
    const base = externalUiBase(uiUrl, external.toString(true));
    // as a string: vscode.Uri would encode the slashes of the UI's `#/experiments/…` route
    await vscode.commands.executeCommand('vscode.open', onExternalBase(link, uiUrl, base));
  }

  private async copyText(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
  }

  /**
   * The run to register from. From a notebook job: its run in the experiment named after its
   * notebook, found by the job's id tag. Otherwise the experiment is asked (until one exists),
   * then its run (a job's own runs only, when they can be told).
   */
  private async pickRun(job?: Job): Promise<PickedRun | undefined> {
    if (job) {
      const experiment = notebookExperiment(job);
      if (experiment) {
        const runs = await this.models.runs(experiment).catch((e: unknown) => {
          if (e instanceof NotFoundError) {
            return [];
          }
          throw e;
        });
        const mine = runsOfJob(job, runs);
        if (mine.by !== 'none') {
          const run = await this.chooseRun(experiment, { items: mine.runs, by: mine.by }, job);
          return run && { experiment, run };
        }
      }
    }
    let problem: string | undefined;
    for (;;) {
      const experiment = await this.askExperiment(job, problem);
      if (!experiment) {
        return undefined;
      }
      try {
        const item = await this.pickLoaded<RunItem>(
          { title: runsTitle(experiment, 'none', job), placeholder: 'Which run logged the model?' },
          async signal => {
            const runs = await this.models.runs(experiment, signal);
            if (runs.length === 0) {
              throw new NoRunsError(experiment);
            }
            const mine = job ? runsOfJob(job, runs) : { runs, by: 'none' as const };
            const items = mine.runs.map(runItem);
            return {
              items,
              title: runsTitle(experiment, mine.by, job),
              // a job's one run of its own needs no pick
              auto: job && mine.by !== 'none' && items.length === 1 ? items[0] : undefined
            };
          }
        );
        return item && { experiment, run: item.run };
      } catch (e) {
        if (e instanceof NoRunsError) {
          problem = `Experiment ${experiment} has no runs`;
        } else if (e instanceof NotFoundError) {
          problem = `The group's MLflow has no experiment ${experiment}`;
        } else {
          throw e;
        }
      }
    }
  }

  /** The experiment's name: typed, or one used before or of the group's notebook jobs. */
  private askExperiment(job: Job | undefined, problem?: string): Promise<string | undefined> {
    return pickOrType({
      title: job ? `Register Model from ${jobLabel(job)}: its MLflow experiment` : 'Register Model: MLflow experiment',
      placeholder: problem
        ? `${problem}: type another experiment name`
        : "Type the experiment's name, or pick one used before or of a notebook job",
      typedItem: name => ({ label: name, description: 'experiment name as typed', value: name }),
      load: async signal =>
        (await this.models.experimentSuggestions(signal)).map((s: ExperimentSuggestion) => ({
          label: s.name,
          description: s.source,
          value: s.name
        }))
    });
  }

  /** The run among `runs` (a job's when `job` is given: with one run of its own, that one). */
  private async chooseRun(
    experiment: string,
    runs: { items: RunSummary[]; by: RunMatch },
    job?: Job
  ): Promise<RunSummary | undefined> {
    if (job && runs.by !== 'none' && runs.items.length === 1) {
      return runs.items[0];
    }
    const pick = await vscode.window.showQuickPick(runs.items.map(runItem), {
      title: runsTitle(experiment, runs.by, job),
      placeHolder: 'Which run logged the model?',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true
    });
    return pick?.run;
  }

  /** The run's folder to register: the ones holding `MLmodel` (MLflow models) first and preselected. */
  private pickFolder(run: RunSummary): Promise<string | undefined> {
    return this.pickLoaded<FolderItem>(
      {
        title: `Register Model: the model's folder in run ${run.name}`,
        placeholder: 'A folder holding an MLmodel file is an MLflow model'
      },
      async signal => {
        const folders = await this.models.artifactFolders(run.runId, signal);
        const items = folders.map(
          (f): FolderItem => ({
            label: `$(${f.isModel ? 'package' : 'folder'}) ${f.path}/`,
            description: f.isModel ? 'MLflow model (holds MLmodel)' : 'no MLmodel in it',
            path: f.path
          })
        );
        return {
          items,
          active: items[folders.findIndex(f => f.isModel)],
          empty: `Run ${run.name} has no artifact folders: log the model with mlflow.<flavor>.log_model(...) first.`
        };
      }
    ).then(item => item?.path);
  }

  /**
   * The model's name: an existing model (a new version of it) or a new one, typed and checked as
   * it is typed (the server's rule), each saying what registering does.
   */
  private async askName(preferred: string, models: readonly Model[], experiment: string): Promise<string | undefined> {
    if (models.length > 0) {
      const newItem: NameItem = { label: '$(add) New model…', description: 'the first version of a new model' };
      const modelItems = models.map(
        (m): NameItem => ({
          label: m.name,
          description: registerActionText(m.name, models),
          name: m.name
        })
      );
      // the model asked for, else the one named after the experiment, first: adding a version is the usual case
      const same = modelItems.filter(i => i.name === preferred);
      const pick = await vscode.window.showQuickPick(
        [...same, newItem, ...modelItems.filter(i => i.name !== preferred)],
        {
          title: 'Register Model: add a version to a model, or create one',
          placeHolder: 'Which model?',
          ignoreFocusOut: true
        }
      );
      if (!pick) {
        return undefined;
      }
      if (pick.name) {
        return pick.name;
      }
    }
    const name = await vscode.window.showInputBox({
      title: 'Register Model: name of the new model',
      prompt: "Letters, digits, '.', '_' and '-', starting with a letter or digit",
      value: MODEL_NAME_PATTERN.test(experiment) && !models.some(m => m.name === experiment) ? experiment : '',
      ignoreFocusOut: true,
      validateInput: value => {
        const problem = modelNameProblem(value);
        return problem
          ? { message: problem, severity: vscode.InputBoxValidationSeverity.Error }
          : { message: registerActionText(value, models), severity: vscode.InputBoxValidationSeverity.Info };
      }
    });
    return name || undefined;
  }

  /** A QuickPick shown at once (busy while its items load); undefined when dismissed. Load errors reject. */
  private pickLoaded<T extends vscode.QuickPickItem>(
    opts: { title: string; placeholder: string },
    load: (signal: AbortSignal) => Promise<Loaded<T>>
  ): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const qp = vscode.window.createQuickPick<T>();
      const abort = new AbortController();
      let settled = false;
      const finish = (value: T | undefined, error?: unknown): void => {
        if (!settled) {
          settled = true;
          abort.abort();
          qp.dispose();
          if (error !== undefined) {
            reject(error);
          } else {
            resolve(value);
          }
        }
      };
      qp.title = opts.title;
      qp.placeholder = opts.placeholder;
      qp.ignoreFocusOut = true;
      qp.matchOnDescription = true;
      qp.busy = true;
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item) {
          finish(item);
        }
      });
      qp.onDidHide(() => finish(undefined));
      qp.show();
      load(abort.signal).then(
        loaded => {
          if (settled) {
            return;
          }
          if (loaded.auto) {
            finish(loaded.auto);
            return;
          }
          if (loaded.items.length === 0) {
            finish(undefined);
            if (loaded.empty) {
              void vscode.window.showInformationMessage(loaded.empty);
            }
            return;
          }
          qp.items = loaded.items;
          qp.title = loaded.title ?? qp.title;
          qp.matchOnDetail = true;
          if (loaded.active) {
            qp.activeItems = [loaded.active];
          }
          qp.busy = false;
        },
        (e: unknown) => finish(undefined, e)
      );
    });
  }
}

/** An experiment without runs: another name is asked. */
class NoRunsError extends Error {
  constructor(experiment: string) {
    super(`experiment ${experiment} has no runs`);
  }
}

function runItem(run: RunSummary): RunItem {
  return {
    label: run.name,
    description: [run.status, formatTime(run.startTime)].filter(Boolean).join(' · '),
    detail: runValuesText(run) || run.runId,
    run
  };
}

/** The run pick's title: a job's own runs, or (none of them told apart) all of the experiment's. */
function runsTitle(experiment: string, by: RunMatch, job?: Job): string {
  if (!job) {
    return `Register Model: run of experiment ${experiment}`;
  }
  return by === 'none'
    ? `No run of experiment ${experiment} is known to be ${jobLabel(job)}'s: pick one of its runs`
    : `Register Model: run of ${jobLabel(job)} in experiment ${experiment}`;
}

function isSpec(x: unknown): x is RegisterSpec {
  const s = x as Partial<RegisterSpec> | undefined;
  return (
    typeof s === 'object' &&
    !(s instanceof ModelNode) &&
    !(s instanceof JobNode) &&
    typeof s?.name === 'string' &&
    typeof s.runId === 'string' &&
    typeof s.path === 'string'
  );
}

function jobLabel(job: Job): string {
  return job.displayName || job.id;
}
