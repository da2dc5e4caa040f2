import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Job, JobSpec } from '@primehub-suite/client';
import {
  coerceParameterInput,
  parseNotebookParameters,
  type JsonValue,
  type LiteralKind,
  type NotebookParameter
} from '@primehub-suite/client/notebook';
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/ConnectionManager';
import { jobConsolePage } from '../connection/endpoints';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { ArtifactNode, JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { isObject, isString, type CommandArgCheck, type CommandArgs } from '../util/commandArgs';
import type { JobLogFollower } from './JobLogFollower';
import type { JobsManager } from './JobsManager';
import { groupVolumeRelative, planInPlace, planRunFile, runnableKind, type RunFilePlan } from './runFilePlan';
import { WorkspaceConfigs } from '../vscode-objs/WorkspaceConfigs';

const DEFAULTS_KEY = 'primehub.jobs.submitDefaults';

/** What the submit steps remember per workspace. */
interface SubmitDefaults {
  instanceType?: string;
  image?: string;
  displayName?: string;
  command?: string;
  activeDeadlineSeconds?: number;
}

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
  private readonly channels = new Map<string, vscode.OutputChannel>();

  constructor(
    private readonly jobs: JobsManager,
    private readonly connection: ConnectionManager,
    private readonly follower: JobLogFollower,
    private readonly errors: ErrorCommands,
    private readonly workspaceState: vscode.Memento,
    private readonly revealJob: (job: Job) => Thenable<void>
  ) {}

  /**
   * Registers the `primehub.jobs.*` commands. A job counts only as a node the Jobs view gave; a
   * file only as a `vscode.Uri` (the Explorer's and the editor's menus); job ids, job specs, run
   * options and target folders only in tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.jobs.refresh', () => this.refresh()),
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
      const chosen = spec ?? (await this.askJobSpec());
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
   * "Run Current File as Job" for .py, .sh and .ipynb: uploads the file into a per-run PHFS
   * folder and runs it from there; a notebook runs under papermill with the parameters asked
   * for here, and its executed notebook is downloaded next to the original when the job ends.
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
      let parameters = options.parameters;
      let types: Record<string, LiteralKind> = {};
      if (kind === 'notebook') {
        const text = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
        const declared = parseNotebookParameters(text).parameters;
        types = Object.fromEntries(declared.map(p => [p.name, p.type]));
        parameters = parameters ?? (await this.askParameters(fileName, declared));
        if (!parameters) {
          return;
        }
      }
      const where = await this.askWhere(options);
      if (!where) {
        return;
      }
      const group = this.connection.profile?.group ?? '';
      const onVolume = groupVolumeRelative(target.fsPath, group, WorkspaceConfigs.groupVolumeFolders);
      const plan = onVolume
        ? planInPlace({ relativePath: onVolume, parameters, types })
        : planRunFile({ fileName, parameters, types });
      job = await this.errors.withProgress(`Uploading ${fileName} and submitting…`, signal =>
        this.jobs.runFile(target.fsPath, plan, where, signal)
      );
      const submitted = job;
      this.followLog(submitted);
      void this.waitFor(submitted, plan, path.dirname(target.fsPath));
    });
    return job;
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
    let dir = targetDir;
    if (!dir) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Download Here',
        title: `Download ${artifact || 'the artifacts'} of ${label(job)}`,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri
      });
      if (!picked?.[0]) {
        return undefined;
      }
      dir = picked[0].fsPath;
    }
    const localDir = artifact ? dir : path.join(dir, `artifacts-${job.id}`);
    let files: string[] | undefined;
    await this.errors.guard(`Downloading artifacts of ${label(job)}`, async () => {
      files = await this.errors.withProgress(`Downloading artifacts of ${label(job)}…`, (signal, report) =>
        this.jobs.downloadArtifacts(job.id, artifact, localDir, {
          signal,
          onProgress: bytes => report(`${(bytes / 1024).toFixed(0)} KB`)
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
    for (const c of this.channels.values()) {
      c.dispose();
    }
    this.follower.dispose();
  }

  private followLog(job: Job): void {
    let channel = this.channels.get(job.id);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`PrimeHub Job: ${label(job)}`);
      this.channels.set(job.id, channel);
    }
    channel.show(true);
    const out = channel;
    const f = this.follower.get(job.id);
    if (f?.active) {
      return;
    }
    this.follower.follow(job.id, out, error => {
      if (error) {
        out.appendLine(`[PrimeHub] the log stream stopped: ${(error as Error).message}`);
        this.errors.report(`Following the log of ${label(job)}`, error, () => this.followLog(job));
      } else {
        out.appendLine('[PrimeHub] end of log');
      }
    });
  }

  private async waitFor(job: Job, plan?: RunFilePlan, outputDir?: string): Promise<Job | undefined> {
    let final: Job | undefined;
    try {
      final = await this.errors.withProgress(`Job ${label(job)}`, (signal, report) =>
        this.jobs.wait(job.id, { signal, onPhase: phase => report(phase) })
      );
    } catch (e) {
      this.errors.report(`Waiting for ${label(job)}`, e, () => this.waitFor(job, plan, outputDir));
      return undefined;
    }
    let output: string | undefined;
    if (plan && !plan.remoteDir && plan.outputFileName && outputDir) {
      // ran in place: papermill wrote the output next to the notebook
      const local = path.join(outputDir, plan.outputFileName);
      output = fs.existsSync(local) ? local : undefined;
    } else if (plan?.outputPath && outputDir) {
      try {
        output = await this.jobs.downloadOutput(plan, path.join(outputDir, plan.outputFileName!));
      } catch (e) {
        this.errors.report('Downloading the output notebook', e);
      }
    }
    this.announceEnd(final, output);
    return final;
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

  private defaults(): SubmitDefaults {
    return this.workspaceState.get<SubmitDefaults>(DEFAULTS_KEY) ?? {};
  }

  private async remember(patch: SubmitDefaults): Promise<void> {
    await this.workspaceState.update(DEFAULTS_KEY, { ...this.defaults(), ...patch });
  }

  /** Instance type and image: prompts (last choice first) unless given. */
  private async askWhere(options: RunFileOptions): Promise<{ instanceType: string; image: string } | undefined> {
    const d = this.defaults();
    const client = this.connection.client;
    const instanceType =
      options.instanceType ??
      (await pickNamed(
        'Instance type',
        (await client.groups.instanceTypes()).map(t => ({
          name: t.name,
          label: t.displayName || t.name,
          detail: [
            t.cpuLimit && `${t.cpuLimit} CPU`,
            t.memoryLimit && `${t.memoryLimit} GB`,
            t.gpuLimit && `${t.gpuLimit} GPU`
          ]
            .filter(Boolean)
            .join(' · ')
        })),
        d.instanceType
      ));
    if (!instanceType) {
      return undefined;
    }
    const image =
      options.image ??
      (await pickNamed(
        'Image',
        (await client.groups.images()).map(i => ({
          name: i.name,
          label: i.displayName || i.name,
          detail: i.description ?? ''
        })),
        d.image
      ));
    if (!image) {
      return undefined;
    }
    await this.remember({ instanceType, image });
    return { instanceType, image };
  }

  private async askJobSpec(): Promise<JobSpec | undefined> {
    const where = await this.askWhere({});
    if (!where) {
      return undefined;
    }
    const d = this.defaults();
    const displayName = await vscode.window.showInputBox({
      title: 'Submit PrimeHub job (3/5): name',
      value: d.displayName ?? 'job',
      ignoreFocusOut: true,
      validateInput: v => (v.trim() ? undefined : 'A job needs a name')
    });
    if (displayName === undefined) {
      return undefined;
    }
    const command = await vscode.window.showInputBox({
      title: 'Submit PrimeHub job (4/5): command',
      prompt: 'Shell command, run in /home/jovyan; write files to ~/artifacts to keep them',
      value: d.command ?? '',
      ignoreFocusOut: true,
      validateInput: v => (v.trim() ? undefined : 'A job needs a command')
    });
    if (command === undefined) {
      return undefined;
    }
    const timeout = await vscode.window.showInputBox({
      title: 'Submit PrimeHub job (5/5): timeout in seconds (empty: none)',
      value: d.activeDeadlineSeconds ? String(d.activeDeadlineSeconds) : '',
      ignoreFocusOut: true,
      validateInput: v =>
        v.trim() === '' || /^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number of seconds, or empty'
    });
    if (timeout === undefined) {
      return undefined;
    }
    const activeDeadlineSeconds = timeout.trim() ? Number(timeout.trim()) : undefined;
    await this.remember({ displayName, command, activeDeadlineSeconds });
    return { ...where, displayName: displayName.trim(), command, activeDeadlineSeconds };
  }

  /** One typed input box per notebook parameter, prefilled with the notebook's default. */
  private async askParameters(
    fileName: string,
    declared: NotebookParameter[]
  ): Promise<Record<string, JsonValue> | undefined> {
    const values: Record<string, JsonValue> = {};
    for (const [i, p] of declared.entries()) {
      const text = await vscode.window.showInputBox({
        title: `${fileName}: parameter ${i + 1}/${declared.length}`,
        prompt: `${p.name} (${p.type})${p.help ? ` — ${p.help}` : ''}`,
        value: typeof p.default === 'string' ? p.default : JSON.stringify(p.default),
        ignoreFocusOut: true,
        validateInput: v => {
          const r = coerceParameterInput(p, v);
          return r.ok ? undefined : `${p.name} ${r.message}`;
        }
      });
      if (text === undefined) {
        return undefined;
      }
      const r = coerceParameterInput(p, text);
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

async function pickNamed(
  what: string,
  items: Array<{ name: string; label: string; detail?: string }>,
  last?: string
): Promise<string | undefined> {
  if (items.length === 0) {
    throw new Error(`the group has no ${what.toLowerCase()} to use`);
  }
  const sorted = [...items].sort((a, b) => (a.name === last ? -1 : b.name === last ? 1 : 0));
  const pick = await vscode.window.showQuickPick(
    sorted.map(i => ({
      label: i.label,
      description: i.name !== i.label ? i.name : undefined,
      detail: i.detail,
      name: i.name
    })),
    { title: `PrimeHub job: ${what}`, placeHolder: last ? `last used: ${last}` : undefined, ignoreFocusOut: true }
  );
  return pick?.name;
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
