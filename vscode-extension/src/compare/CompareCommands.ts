import type { Job } from '@primehub-suite/client';
import { mlflowCompareUrl, runUiUrl } from '@primehub-suite/client/compare';
import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import type { ModelsCommands } from '../models/ModelsCommands';
import { ComparePanel } from '../ui/compare/ComparePanel';
import type { CompareMessage } from '../ui/compare/compareMessages';
import { JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { ScheduleItemNode } from '../ui/schedules/SchedulesTreeDataProvider';
import { isString, type CommandArgs } from '../util/commandArgs';
import type { CompareManager, CompareRequest } from './CompareManager';
import type { CompareModel } from './CompareModel';

/** The webview panel's type (VS Code restores nothing of it: it is opened again from the views). */
const VIEW_TYPE = 'primehub.compare';

/**
 * Compare Runs: a webview of jobs' MLflow runs side by side, opened from the Jobs view's selection
 * (one job of a sweep or of a recurring job: all of its jobs), a recurring job, or a sweep's id
 * (after a sweep's submission). The webview's actions (links, Register Model) run here.
 */
export class CompareCommands implements vscode.Disposable {
  private panel?: ComparePanel;
  private request?: CompareRequest;
  private loading?: AbortController;

  constructor(
    private readonly compare: CompareManager,
    private readonly errors: ErrorCommands,
    private readonly modelsCommands: ModelsCommands,
    private readonly extensionUri: vscode.Uri,
    /** Shows a job in the Jobs view. */
    private readonly revealJob: (jobId: string) => Thenable<boolean>,
    /** The jobs selected in the Jobs view (the palette's Compare Runs compares them). */
    private readonly selectedJobs: () => Job[]
  ) {}

  /**
   * `primehub.compare.jobs` takes the Jobs view's clicked node and its selection (JobNodes only);
   * `primehub.compare.schedule` a Recurring Jobs node; `primehub.compare.sweep` a sweep's id, only
   * from the extension's own code and tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.compare.jobs', (args, node, selection) => {
        const clicked = args.accept(node, { nodes: [JobNode] });
        const selected = Array.isArray(selection)
          ? selection.map(s => args.accept(s, { nodes: [JobNode] })).filter((s): s is JobNode => s !== undefined)
          : [];
        // the palette gives nothing: the Jobs view's selection
        const jobs = selected.length > 0 ? selected.map(s => s.job) : clicked ? [clicked.job] : this.selectedJobs();
        return this.compareJobs(jobs);
      }),
      commands.register('primehub.compare.schedule', (args, node) => {
        const s = args.accept(node, { nodes: [ScheduleItemNode] })?.schedule;
        return s ? this.open({ kind: 'schedule', scheduleId: s.id, name: s.displayName || s.id }) : undefined;
      }),
      commands.register('primehub.compare.sweep', (args, sweepId) => {
        const id = args.accept(sweepId, { inTests: isString });
        return id ? this.open({ kind: 'sweep', sweepId: id }) : undefined;
      })
    ];
  }

  /** Compares jobs: one job of a sweep or recurring job compares all of that one's jobs. */
  async compareJobs(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) {
      void vscode.window.showInformationMessage(
        'Select the jobs to compare in the PrimeHub Jobs view (Ctrl/Cmd+click for more than one), then Compare Runs.'
      );
      return;
    }
    await this.open(this.compare.requestFor(jobs));
  }

  /** Opens (or reuses) the Compare Runs panel on `request` and finds its runs. */
  async open(request: CompareRequest): Promise<CompareModel> {
    const model = this.compare.open(request);
    this.request = request;
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Compare Runs', vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: ComparePanel.localResourceRoots(this.extensionUri)
      });
      this.panel = new ComparePanel(panel, this.extensionUri, m => void this.onMessage(m));
      panel.onDidDispose(() => {
        this.loading?.abort();
        this.panel?.dispose();
        this.panel = undefined;
      });
    } else {
      this.panel.panel.reveal();
    }
    this.panel.show(model);
    await this.load(model);
    return model;
  }

  /** The model shown (tests). */
  get shown(): CompareModel | undefined {
    return this.panel?.current;
  }

  private async load(model: CompareModel): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    if (this.request) {
      await this.compare.load(model, this.request, abort.signal);
    }
  }

  private async onMessage(message: CompareMessage): Promise<void> {
    const model = this.panel?.current;
    if (!model) {
      return;
    }
    switch (message.type) {
      case 'refresh':
        return this.load(model);
      case 'sort':
        return model.sortBy(message.key);
      case 'flip':
        return model.flipDirection(message.metric);
      case 'differencesOnly':
        return model.setDifferencesOnly(message.on);
      case 'chart':
        return model.setChart({ [message.axis]: message.value });
      case 'openJob':
        if (!(await this.revealJob(message.job))) {
          void vscode.window.showInformationMessage(
            `Job ${message.job} is not among the jobs the PrimeHub Jobs view lists.`
          );
        }
        return;
      case 'openRun': {
        const row = model.row(message.run);
        if (row?.experimentId) {
          await this.openMlflow(model, base => runUiUrl(base, row.experimentId!, row.runId));
        }
        return;
      }
      case 'openMlflow':
        return this.openMlflow(model, base => mlflowCompareUrl(base, model.comparison.rows));
      case 'register': {
        const found = this.compare.foundRun(model, message.run);
        if (found) {
          await this.modelsCommands.registerRun(found.experiment, found.run);
        }
        return;
      }
    }
  }

  /** Opens a page of the group's MLflow UI, signed in, as this window reaches it (ModelsCommands.openMlflowPage). */
  private async openMlflow(model: CompareModel, page: (base: string) => string): Promise<void> {
    await this.errors.guard('Opening the MLflow UI', async () => {
      const ui = model.uiUrl;
      if (!ui) {
        void vscode.window.showInformationMessage("The group's MLflow settings have no UI address (uiUrl).");
        return;
      }
      await this.modelsCommands.openMlflowPage(ui, page(ui));
    });
  }

  dispose(): void {
    this.loading?.abort();
    this.panel?.panel.dispose();
  }
}
