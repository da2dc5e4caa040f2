import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Job, JobSpec } from '@primehub-suite/client';
import { parseNotebookParameters, type JsonValue, type NotebookParameter } from '@primehub-suite/client/notebook';
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/ConnectionManager';
import { jobConsolePage } from '../connection/endpoints';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { ArtifactNode, JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { pickDownloadFolder } from '../ui/dialogs/pickDownloadFolder';
import { isObject, isString, type CommandArgCheck, type CommandArgs } from '../util/commandArgs';
import type { JobLogFollower } from './JobLogFollower';
import type { JobSpecWizard } from './JobSpecWizard';
import type { JobsManager } from './JobsManager';
import { kindOfValue, planNotebookRerun, planNotebookRun, rerunSourceOf, type NotebookOutput } from './notebookRun';
import { parameterInputText, parameterPrompt, readParameterInput } from './parameterInput';
import { groupVolumeRelative, planInPlace, planRunFile, runnableKind } from './runFilePlan';
import { WorkspaceConfigs } from '../vscode-objs/WorkspaceConfigs';
import { formatBytes } from '../files/transferText';

/** Options of "Run current file as job" that skip the prompts (automation, tests). */
export interface RunFileOptions {
  instanceType?: string;
  image?: string;
  parameters?: Record<string, JsonValue>;
}

/** A job argument: a tree node, a job id (tests), or nothing (then a QuickPick asks). */
type JobArg = JobNode | ArtifactNode | string | undefined;

/** A job's node from the Jobs view, or in tests a job id. */
function jobArg(args: CommandArgCheck, arg: unknown): JobArg {
  return args.accept(arg, { nodes: [JobNode, ArtifactNode], inTests: isString });
}

/** The job commands: submit, run current file, cancel, rerun, wait, logs, artifacts, console, copy id. */
export class JobsCommands implements vscode.Disposable {
  constructor(
    private readonly jobs: JobsManager,
    private readonly connection: ConnectionManager,
    private readonly follower: JobLogFollower,
    private readonly errors: ErrorCommands,
    private readonly wizard: JobSpecWizard,
    private readonly revealJob: (job: Job) => Thenable<void>,
    /** Called once a run has put files into PHFS (the Files view shows them). */
    private readonly onFilesChanged: () => void = () => undefined
  ) {}

  /**
   * Registers the `primehub.jobs.*` commands. A job counts only as a node the Jobs view gave; a
   * file only as a `vscode.Uri` (the Explorer's and the editor's menus); job ids, job specs, run
   * options and target folders only in tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.jobs.refresh', () => this.refresh()),
      commands.register('primehub.jobs.loadMore', () =>
        this.errors.guard('Listing more jobs', () => this.jobs.loadMore())
      ),
      commands.register('primehub.jobs.submit', (args, spec) =>
        this.submit(args.accept(spec, { inTests: isObject<JobSpec> }))
      ),
      commands.register('primehub.jobs.runCurrentFile', (args, uri, options) =>
        this.runCurrentFile(
          args.accept(uri, { nodes: [vscode.Uri] }),
          // the Explorer's menu passes its selection second, the editor's its editor group
          Array.isArray(options) ? undefined : args.accept(options, { inTests: isObject<RunFileOptions> })
        )
      ),
      commands.register('primehub.jobs.cancel', (args, arg) => this.cancel(jobArg(args, arg))),
      commands.register('primehub.jobs.rerun', (args, arg) => this.rerun(jobArg(args, arg))),
      commands.register('primehub.jobs.rerunWithParameters', (args, arg, values) =>
        this.rerunWithParameters(
          jobArg(args, arg),
          args.accept(values, { inTests: isObject<Record<string, JsonValue>> })
        )
      ),
      commands.register('primehub.jobs.wait', (args, arg) => this.wait(jobArg(args, arg))),
      commands.register('primehub.jobs.followLog', (args, arg) => this.followLogCommand(jobArg(args, arg))),
      commands.register('primehub.jobs.downloadArtifacts', (args, arg, dir) =>
        this.downloadArtifacts(jobArg(args, arg), args.accept(dir, { inTests: isString }))
      ),
      commands.register('primehub.jobs.openInConsole', (args, arg) => this.openInConsole(jobArg(args, arg))),
      commands.register('primehub.jobs.copyId', (args, arg) => this.copyId(jobArg(args, arg)))
    ];
  }

  refresh(): Promise<void> {
    return this.errors.guard('Refreshing jobs', () => this.jobs.refresh());
  }

  /** "Submit Job": instance type, image, name, command and timeout, remembering the answers. */
  async submit(spec?: JobSpec): Promise<Job | undefined> {
    let job: Job | undefined;
    await this.errors.guard('Submitting the job', async () => {
      const chosen = spec ?? (await this.wizard.askSpec({ title: 'Submit PrimeHub job' }));
      if (!chosen) {
        return;
      }
      job = await this.errors.withProgress(`Submitting ${chosen.displayName}…`, signal =>
        this.jobs.submit(chosen, signal)
      );
      this.announceSubmitted(job);
    });
    return job;
  }

  /**
   * "Run Current File as Job" for .py, .sh and .ipynb. A script is uploaded into a per-run PHFS
   * folder (or runs in place on the group volume); a notebook runs through the client's
   * `notebook.run` with the parameters asked for here, and its executed notebook is downloaded
   * next to the original when the job ends.
   */
  async runCurrentFile(uri?: vscode.Uri, options: RunFileOptions = {}): Promise<Job | undefined> {
    const target = uri ?? activeFileUri();
    if (!target || target.scheme !== 'file') {
      void vscode.window.showWarningMessage('Open a local .py, .sh or .ipynb file to run it as a PrimeHub job.');
      return undefined;
    }
    const fileName = path.basename(target.fsPath);
    const kind = runnableKind(fileName);
    if (!kind) {
      void vscode.window.showWarningMessage(`${fileName} is not a .py, .sh or .ipynb file.`);
      return undefined;
    }
    let job: Job | undefined;
    await this.errors.guard(`Running ${fileName} as a job`, async () => {
      await saveIfDirty(target);
      const group = this.connection.profile?.group ?? '';
      const volumePath = groupVolumeRelative(target.fsPath, group, WorkspaceConfigs.groupVolumeFolders);
      if (kind === 'notebook') {
        job = await this.runNotebookFile(target, volumePath, options);
        return;
      }
      const where = await this.wizard.askWhere(options);
      if (!where) {
        return;
      }
      const plan = volumePath ? planInPlace({ relativePath: volumePath }) : planRunFile({ fileName });
      job = await this.errors.withProgress(`Uploading ${fileName} and submitting…`, signal =>
        this.jobs.runFile(target.fsPath, plan, where, signal)
      );
      this.onFilesChanged();
      this.followLog(job);
      void this.waitFor(job);
    });
    return job;
  }

  /** A notebook through `client.notebook.run`: typed parameters, then instance type and image. */
  private async runNotebookFile(
    target: vscode.Uri,
    volumePath: string | undefined,
    options: RunFileOptions
  ): Promise<Job | undefined> {
    const fileName = path.basename(target.fsPath);
    const content = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
    const declared = parseNotebookParameters(content).parameters;
    const parameters = options.parameters ?? (await this.askParameters(fileName, declared));
    if (!parameters) {
      return undefined;
    }
    const where = await this.wizard.askWhere(options);
    if (!where) {
      return undefined;
    }
    const { spec, output } = planNotebookRun({
      notebook: { fsPath: target.fsPath, content, volumePath },
      ...where,
      parameters,
      declared
    });
    const run = await this.errors.withProgress(`Submitting ${fileName}…`, signal =>
      this.jobs.runNotebook(spec, signal)
    );
    this.onFilesChanged();
    this.followLog(run.job);
    void this.waitFor(run.job, { artifactName: run.artifactName, output });
    return run.job;
  }

  /**
   * "Rerun with Edited Parameters" of a notebook job (from either editor): the job's values are
   * prefilled; the same notebook runs again with the same instance type, image and name.
   */
  async rerunWithParameters(arg?: JobArg, values?: Record<string, JsonValue>): Promise<Job | undefined> {
    const job = await this.pickJob(arg, 'Rerun which notebook job with edited parameters?', j => !!rerunSourceOf(j));
    if (!job) {
      return undefined;
    }
    const source = rerunSourceOf(job);
    if (!source) {
      void vscode.window.showInformationMessage(`${label(job)} did not run a notebook; use Rerun.`);
      return undefined;
    }
    let rerun: Job | undefined;
    await this.errors.guard(`Rerunning ${label(job)}`, async () => {
      // a job that ran a snapshot is run again from its output notebook (papermill replaces the injected values)
      const outputContent =
        source.volumePath === undefined
          ? await this.errors.withProgress(`Reading the output notebook of ${label(job)}…`, signal =>
              this.jobs.readArtifactText(job.id, source.artifactName, signal)
            )
          : undefined;
      const notebook = outputContent ?? this.localVolumeNotebook(source.volumePath);
      const declaredInNotebook = notebook ? parseNotebookParameters(notebook).parameters : [];
      const declared: NotebookParameter[] = Object.entries(source.parameters).map(([name, value]) => {
        const known = declaredInNotebook.find(p => p.name === name);
        return { ...(known ?? { name, type: kindOfValue(value), line: 0 }), default: value } as NotebookParameter;
      });
      const edited = values ?? (await this.askParameters(label(job), declared));
      if (!edited) {
        return;
      }
      const spec = planNotebookRerun({ job, source, parameters: edited, declared, outputContent });
      const run = await this.errors.withProgress(`Rerunning ${label(job)}…`, signal =>
        this.jobs.runNotebook(spec, signal)
      );
      rerun = run.job;
      this.announceSubmitted(run.job);
    });
    return rerun;
  }

  /** The text of a notebook of the group volume when one of the configured folders is that volume. */
  private localVolumeNotebook(volumePath: string | undefined): string | undefined {
    if (volumePath === undefined) {
      return undefined;
    }
    for (const folder of WorkspaceConfigs.groupVolumeFolders) {
      try {
        return fs.readFileSync(path.join(folder, volumePath), 'utf8');
      } catch {
        // not in this folder
      }
    }
    return undefined;
  }

  async cancel(arg?: JobArg): Promise<void> {
    const job = await this.pickJob(arg, 'Cancel which job?', j => !this.jobs.isFinished(j));
    if (!job) {
      return;
    }
    await this.errors.guard(`Cancelling ${label(job)}`, async () => {
      const after = await this.errors.withProgress(`Cancelling ${label(job)}…`, signal =>
        this.jobs.cancel(job.id, signal)
      );
      // The job stops asynchronously: until its phase is final, say the cancel is under way.
      const state = this.jobs.isFinished(after) ? after.phase : 'being cancelled';
      void vscode.window.showInformationMessage(`${label(after)} is ${state}.`);
    });
  }

  async rerun(arg?: JobArg): Promise<Job | undefined> {
    const job = await this.pickJob(arg, 'Rerun which job?');
    if (!job) {
      return undefined;
    }
    let rerun: Job | undefined;
    await this.errors.guard(`Rerunning ${label(job)}`, async () => {
      rerun = await this.errors.withProgress(`Rerunning ${label(job)}…`, signal => this.jobs.rerun(job.id, signal));
      this.announceSubmitted(rerun);
    });
    return rerun;
  }

  /** Waits in a cancellable notification (cancel stops waiting, not the job), then notifies the end. */
  async wait(arg?: JobArg): Promise<Job | undefined> {
    const job = await this.pickJob(arg, 'Wait for which job?', j => !this.jobs.isFinished(j));
    return job ? this.waitFor(job) : undefined;
  }

  /** Follows a job's log live in its own output channel (reused on a second follow). */
  async followLogCommand(arg?: JobArg): Promise<void> {
    const job = await this.pickJob(arg, 'Follow the log of which job?');
    if (job) {
      this.followLog(job);
    }
  }

  /** Downloads all artifacts of a job (job node) or one artifact (artifact node) with progress. */
  async downloadArtifacts(arg?: JobArg, targetDir?: string): Promise<string[] | undefined> {
    const job = await this.pickJob(arg, 'Download the artifacts of which job?', j => this.jobs.isFinished(j));
    if (!job) {
      return undefined;
    }
    const artifact = typeof arg === 'object' && arg.kind === 'artifact' ? arg.artifact.name : '';
    const dir = targetDir ?? (await pickDownloadFolder(`Download ${artifact || 'the artifacts'} of ${label(job)}`));
    if (!dir) {
      return undefined;
    }
    const localDir = artifact ? dir : path.join(dir, `artifacts-${job.id}`);
    let files: string[] | undefined;
    await this.errors.guard(`Downloading artifacts of ${label(job)}`, async () => {
      files = await this.errors.withProgress(`Downloading artifacts of ${label(job)}…`, (signal, report) =>
        this.jobs.downloadArtifacts(job.id, artifact, localDir, {
          signal,
          onProgress: (bytes, totalBytes) =>
            report(totalBytes ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes))
        })
      );
      const written = files;
      if (written.length === 0) {
        void vscode.window.showInformationMessage(`${label(job)} has no artifacts.`);
        return;
      }
      void vscode.window
        .showInformationMessage(`Downloaded ${written.length} file(s) to ${localDir}.`, 'Open')
        .then(choice => {
          if (choice) {
            void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(written[0]));
          }
        });
    });
    return files;
  }

  async openInConsole(arg?: JobArg): Promise<void> {
    const job = await this.pickJob(arg, 'Open which job in the PrimeHub console?');
    const profile = this.connection.profile;
    if (job && profile) {
      const group = job.groupName ?? profile.group ?? '';
      await vscode.env.openExternal(vscode.Uri.parse(jobConsolePage(profile.endpoint, group, job.id)));
    }
  }

  async copyId(arg?: JobArg): Promise<void> {
    const job = await this.pickJob(arg, 'Copy the id of which job?');
    if (job) {
      await vscode.env.clipboard.writeText(job.id);
      vscode.window.setStatusBarMessage(`Copied ${job.id}`, 3000);
    }
  }

  dispose(): void {
    this.follower.dispose();
  }

  /** Follows a job's log live in its own output channel (the follower's; reused on a second follow). */
  private followLog(job: Job): void {
    this.follower.followInChannel(job.id, `PrimeHub Job: ${label(job)}`, (out, error) => {
      if (error) {
        out.appendLine(`[PrimeHub] the log stream stopped: ${(error as Error).message}`);
        this.errors.report(`Following the log of ${label(job)}`, error, () => this.followLog(job));
      } else {
        out.appendLine('[PrimeHub] end of log');
      }
    });
  }

  /**
   * Waits for a job in a progress notification whose Cancel asks what to do: cancel the job, or keep
   * it running and stop showing progress. Either way a notebook run's output notebook is still
   * fetched when the job ends, and the end is announced.
   */
  private async waitFor(
    job: Job,
    notebook?: { artifactName: string; output: NotebookOutput }
  ): Promise<Job | undefined> {
    const stopWaiting = new AbortController();
    let progress: ((phase: string) => void) | undefined;
    const waiting = this.jobs.wait(job.id, {
      signal: stopWaiting.signal,
      onPhase: p => progress?.(p),
      // a followed log ends with the job: its end is seen then, not at the next poll
      wake: this.follower.get(job.id)?.done
    });
    waiting.catch(() => undefined);
    const shown = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Job ${label(job)}`, cancellable: true },
      (p, token) =>
        new Promise<'ended' | 'cancelRequested'>(resolve => {
          progress = phase => p.report({ message: phase });
          token.onCancellationRequested(() => resolve('cancelRequested'));
          waiting.then(
            () => resolve('ended'),
            () => resolve('ended')
          );
        })
    );
    progress = undefined;
    if (shown === 'cancelRequested' && !(await this.cancelOrKeep(job, notebook?.output, stopWaiting))) {
      return undefined;
    }
    let final: Job;
    try {
      final = await waiting;
    } catch (e) {
      this.errors.report(`Waiting for ${label(job)}`, e, () => this.waitFor(job, notebook));
      return undefined;
    }
    let output: string | undefined;
    if (notebook?.output.kind === 'beside') {
      // ran in place: the job wrote the output beside the notebook, on this machine too
      output = fs.existsSync(notebook.output.localPath) ? notebook.output.localPath : undefined;
    } else if (notebook) {
      const localPath = notebook.output.localPath;
      try {
        // in view: a download that takes long (or stalls) is seen and can be cancelled
        output = await this.errors.withProgress(`Downloading the output notebook of ${label(job)}…`, signal =>
          this.jobs.downloadArtifactFile(job.id, notebook.artifactName, localPath, signal)
        );
      } catch (e) {
        this.errors.report(`Downloading the output notebook of ${label(job)}`, e);
      }
    }
    this.announceEnd(final, output);
    return final;
  }

  /**
   * Cancel on a job's progress: a modal choice between cancelling the job and keeping it running.
   * Returns whether to go on waiting (quietly) for its end; a plain wait without an output to fetch
   * simply stops when the job is kept running.
   */
  private async cancelOrKeep(
    job: Job,
    output: NotebookOutput | undefined,
    stopWaiting: AbortController
  ): Promise<boolean> {
    const CANCEL = 'Cancel the Job';
    const KEEP = 'Keep It Running';
    const choice = await vscode.window.showWarningMessage(
      `Cancel the job ${label(job)}?`,
      {
        modal: true,
        detail: output
          ? `If it keeps running, its output notebook will be downloaded to ${output.localPath} when it ends.`
          : 'If it keeps running, you can follow it in the Jobs view.'
      },
      CANCEL,
      KEEP
    );
    if (choice === CANCEL) {
      await this.errors.guard(`Cancelling ${label(job)}`, () => this.jobs.cancel(job.id));
      return true;
    }
    if (!output) {
      stopWaiting.abort();
      return false;
    }
    void vscode.window.showInformationMessage(
      `${label(job)} keeps running; its output notebook will be downloaded to ${output.localPath} when it ends.`
    );
    return true;
  }

  private announceSubmitted(job: Job): void {
    void vscode.window
      .showInformationMessage(`Job ${label(job)} submitted (${job.id}).`, 'Follow Log', 'Wait')
      .then(choice => {
        if (choice === 'Follow Log') {
          this.followLog(job);
        } else if (choice === 'Wait') {
          void this.waitFor(job);
        }
      });
  }

  private announceEnd(job: Job, outputNotebook?: string): void {
    const text = `Job ${label(job)} ${job.phase?.toLowerCase() ?? 'ended'}${
      outputNotebook ? `; output notebook: ${path.basename(outputNotebook)}` : ''
    }.`;
    const buttons = ['Show Log', 'Open Artifacts', ...(outputNotebook ? ['Open Output'] : [])];
    const show = job.phase === 'Succeeded' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text, ...buttons).then(choice => {
      if (choice === 'Show Log') {
        this.followLog(job);
      } else if (choice === 'Open Artifacts') {
        void this.revealJob(job);
      } else if (choice === 'Open Output' && outputNotebook) {
        void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(outputNotebook));
      }
    });
  }

  private async pickJob(
    arg: JobArg,
    placeHolder: string,
    filter: (j: Job) => boolean = () => true
  ): Promise<Job | undefined> {
    if (typeof arg === 'object' && (arg.kind === 'job' || arg.kind === 'artifact')) {
      return arg.job;
    }
    if (typeof arg === 'string') {
      return (
        this.jobs.model.get(arg) ??
        this.jobs.get(arg).catch(e => {
          this.errors.report('Finding the job', e);
          return undefined;
        })
      );
    }
    if (!this.jobs.model.loaded) {
      await this.refresh();
    }
    const candidates = this.jobs.model.jobs.filter(filter);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('No job fits; refresh the Jobs view or submit one.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map(j => ({ label: label(j), description: `${j.phase ?? 'Pending'} · ${j.id}`, job: j })),
      { title: placeHolder, matchOnDescription: true }
    );
    return pick?.job;
  }

  /**
   * One typed input box per notebook parameter, prefilled with its default; a `str` with a line
   * break is shown and typed as a quoted literal (`"a\nb"`), so every value round-trips.
   */
  private async askParameters(
    title: string,
    declared: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type' | 'help' | 'default'>>
  ): Promise<Record<string, JsonValue> | undefined> {
    const values: Record<string, JsonValue> = {};
    for (const [i, p] of declared.entries()) {
      const text = await vscode.window.showInputBox({
        title: `${title}: parameter ${i + 1}/${declared.length}`,
        prompt: parameterPrompt(p),
        value: parameterInputText(p.type, p.default),
        ignoreFocusOut: true,
        validateInput: v => {
          const r = readParameterInput(p, v);
          return r.ok ? undefined : `${p.name} ${r.message}`;
        }
      });
      if (text === undefined) {
        return undefined;
      }
      const r = readParameterInput(p, text);
      if (r.ok) {
        values[p.name] = r.value;
      }
    }
    return values;
  }
}

/** The file of the active editor: notebook, text, or the active tab (when focus is elsewhere). */
function activeFileUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const tabUri =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputNotebook ? input.uri : undefined;
  return vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri ?? tabUri;
}

function label(job: Job): string {
  return job.displayName || job.id;
}

async function saveIfDirty(uri: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
  if (doc?.isDirty) {
    await doc.save();
  }
  const nb = vscode.workspace.notebookDocuments.find(d => d.uri.toString() === uri.toString());
  if (nb?.isDirty) {
    await nb.save();
  }
}
