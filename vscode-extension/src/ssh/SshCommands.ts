import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import type { Logger } from '../logger/Logger';
import { externalUiBase, onExternalBase } from '../models/runs';
import type { CommandArgs } from '../util/commandArgs';
import { WorkspaceConfigs } from '../vscode-objs/WorkspaceConfigs';
import type { PortForward } from './notebookTunnel';
import type { SshConfigFile } from './SshConfigFile';
import { reportLines, type Diagnosis } from './SshDoctor';
import type { NotebookTarget, SshManager } from './SshManager';
import { agentHolds, existingKey, KeyNotInAgentError, type SshKey } from './sshKeys';

/** The Remote - SSH extension: with it, Connect opens the notebook's folder in a remote window. */
export const REMOTE_SSH_EXTENSION = 'ms-vscode-remote.remote-ssh';

/** The hops where a refusal means the key is not (yet) authorized on the notebook. */
const AUTH_HOPS = new Set(['bastion-auth', 'tunnel', 'notebook-auth']);

/** How often Connect checks whether the key was authorized, while it waits. */
const AUTHORIZE_POLL_MS = 2000;

const LAB_URL_KEY = 'primehub.ssh.labUrl';

interface KeyItem extends vscode.QuickPickItem {
  action: 'create' | 'choose';
}

interface AuthorizeItem extends vscode.QuickPickItem {
  action: 'link' | 'copy';
}

interface ForwardItem extends vscode.QuickPickItem {
  forward: PortForward;
}

/**
 * The notebook SSH commands: Connect to Notebook via SSH (key, authorization, SSH on, the config block, then
 * Remote-SSH or a terminal), Disconnect Notebook SSH (the block removed), Forward a Notebook Port (and stop it),
 * and the SSH Doctor's report.
 */
export class SshCommands implements vscode.Disposable {
  private readonly statusItem: vscode.StatusBarItem;
  private doctorChannel?: vscode.OutputChannel;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly ssh: SshManager,
    private readonly errors: ErrorCommands,
    private readonly log: Logger,
    private readonly state: vscode.Memento
  ) {
    this.statusItem = vscode.window.createStatusBarItem('primehub.ssh.forwards', vscode.StatusBarAlignment.Left, 40);
    this.statusItem.name = 'PrimeHub Forwarded Ports';
    this.statusItem.command = 'primehub.ssh.stopForward';
    this.subscription = ssh.onDidChangeForwards(() => this.showForwards());
  }

  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.ssh.connect', () => this.connect()),
      commands.register('primehub.ssh.disconnect', () => this.disconnect()),
      commands.register('primehub.ssh.forwardPort', () => this.forwardPort()),
      commands.register('primehub.ssh.stopForward', () => this.stopForward()),
      commands.register('primehub.ssh.doctor', () => this.doctor())
    ];
  }

  /**
   * "Connect to Notebook via SSH": the notebook and its bastion, SSH turned on if it is off (asked), the key for
   * this PrimeHub (made when there is none), authorized through the notebook's JupyterLab when the bastion or
   * the notebook refuses it, the config block written and checked with `ssh -G`, then the notebook opened.
   */
  async connect(): Promise<void> {
    await this.errors.guard('Connecting to the notebook over SSH', async () => {
      let target = await this.errors.withProgress('Looking up your notebook…', signal => this.ssh.target(signal));
      if (target.notebookMissing) {
        void vscode.window.showErrorMessage(
          `No notebook of ${target.user} runs on this PrimeHub Local: start it (npm start) and connect again.`
        );
        return;
      }
      if (target.status && !target.status.enabled) {
        const choice = await vscode.window.showWarningMessage(
          `SSH is off for your notebook. Turn on its SSH server (as "Enable SSH Server" does on PrimeHub)?`,
          { modal: true },
          'Enable SSH'
        );
        if (choice !== 'Enable SSH') {
          return;
        }
        const status = await this.errors.withProgress("Starting the notebook's SSH server…", signal =>
          this.ssh.enable(target.user, signal)
        );
        if (status.state !== 'running') {
          void vscode.window.showErrorMessage(
            `The notebook's SSH server did not start: ${status.reason ?? status.state}. Run PrimeHub: SSH Doctor for more.`
          );
          return;
        }
        target = await this.ssh.target();
      }
      const key = await this.pickKey(target);
      if (!key) {
        return;
      }
      let tried = await this.errors.withProgress('Checking the key through the bastion…', signal =>
        this.ssh.tryNotebook(target.spec, key, signal)
      );
      if (tried.error && keyRefused(tried.error.hop, target)) {
        const authorized = await this.authorize(target, key);
        if (!authorized) {
          return;
        }
        tried = authorized;
      }
      if (tried.error) {
        this.offerDoctor(`The notebook cannot be reached: ${tried.error.message}.`);
        return;
      }
      const { check, file } = await this.ssh.writeBlock(target.spec);
      if (!check.ok) {
        const earlier = check.earlier.map(e => `line ${e.line} "${e.text}"`).join(', ');
        const choice = await vscode.window.showWarningMessage(
          check.error
            ? `ssh cannot read ${file.path}: ${check.error}`
            : `The PrimeHub block was written to ${file.path}, but an earlier entry wins over it${earlier ? ` (${earlier})` : ''}: ssh keeps the first value of each option.`,
          'Open SSH Config',
          'Run SSH Doctor'
        );
        await this.followUp(choice, file);
        return;
      }
      await this.open(target, file, tried.home);
    });
  }

  /** "Disconnect Notebook SSH": removes this PrimeHub's block from the SSH config (nothing else changes). */
  async disconnect(): Promise<void> {
    await this.errors.guard('Removing the notebook SSH block', async () => {
      const { removed, file, label } = await this.ssh.removeBlock();
      void vscode.window.showInformationMessage(
        removed
          ? `Removed the PrimeHub ${label} block from ${file.path} (the previous file is kept as ${file.backupPath}).`
          : `${file.path} has no PrimeHub ${label} block.`
      );
    });
  }

  /** "Forward a Notebook Port": a notebook port (TensorBoard's 6006, a Streamlit app) on a local port, opened. */
  async forwardPort(): Promise<void> {
    await this.errors.guard('Forwarding the notebook port', async () => {
      const input = await vscode.window.showInputBox({
        title: 'Forward a Notebook Port',
        prompt: 'The port a service listens on in your notebook (e.g. 6006 for TensorBoard, 8501 for Streamlit)',
        placeHolder: '6006',
        ignoreFocusOut: true,
        validateInput: v => (portOf(v) ? undefined : 'A port number from 1 to 65535')
      });
      const port = input === undefined ? undefined : portOf(input);
      if (!port) {
        return;
      }
      const forward = await this.errors.withProgress(`Forwarding notebook port ${port}…`, async signal => {
        const target = await this.ssh.target(signal);
        const key = await existingKey(target.spec.identityFile);
        if (!key) {
          throw new Error(`there is no key for this PrimeHub yet: run "PrimeHub: Connect to Notebook via SSH" first`);
        }
        return this.ssh.forward(target.spec, key, port, signal);
      });
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(forward.url));
      await vscode.commands.executeCommand('vscode.open', external.toString(true));
      void vscode.window
        .showInformationMessage(`Notebook port ${port} is forwarded to ${forward.url}`, 'Stop')
        .then(choice => {
          if (choice === 'Stop') {
            forward.stop();
          }
        });
    });
  }

  /** Stops a forwarded port, picked from those running. */
  async stopForward(): Promise<void> {
    const items: ForwardItem[] = this.ssh.forwards.map(f => ({
      label: `$(debug-disconnect) Notebook port ${f.remotePort}`,
      description: f.url,
      forward: f
    }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No notebook port is forwarded.');
      return;
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Stop a Forwarded Notebook Port' });
    picked?.forward.stop();
  }

  /** "SSH Doctor": checks every hop, writes the report to its output channel and names the cause and fix. */
  async doctor(): Promise<Diagnosis | undefined> {
    let diagnosis: Diagnosis | undefined;
    await this.errors.guard('Running the SSH doctor', async () => {
      const result = await this.errors.withProgress('Checking every hop to your notebook…', signal =>
        this.ssh.doctor(signal)
      );
      diagnosis = result.diagnosis;
      const channel = (this.doctorChannel ??= vscode.window.createOutputChannel('PrimeHub SSH Doctor'));
      channel.clear();
      for (const line of reportLines(result.facts, result.diagnosis)) {
        channel.appendLine(line);
      }
      channel.show(true);
      const d = result.diagnosis;
      if (d.cause === 'ok') {
        void vscode.window.showInformationMessage(`SSH Doctor: every hop to your notebook works (${d.fix}).`);
        return;
      }
      // The fix is offered without holding the command: it returns once the report is written.
      void this.offerFix(result);
    });
    return diagnosis;
  }

  /** The doctor's cause with the actions that fix it, in a notification; the chosen one is run. */
  private async offerFix(result: Awaited<ReturnType<SshManager['doctor']>>): Promise<void> {
    const d = result.diagnosis;
    await this.errors.guard('Fixing what the SSH doctor found', async () => {
      const actions: string[] = [];
      if (d.cause === 'ssh-not-enabled' && result.target.status) {
        actions.push('Enable SSH');
      }
      if (['no-key', 'key-not-authorized', 'config-missing', 'config-stale'].includes(d.cause)) {
        actions.push('Connect');
      }
      if (d.cause === 'passphrase-not-in-agent') {
        actions.push('Copy ssh-add Command');
      }
      if (d.cause === 'config-shadowed' || d.cause === 'wrong-user') {
        actions.push('Open SSH Config');
      }
      const choice = await vscode.window.showWarningMessage(
        `SSH Doctor: fails at ${d.hop}: ${d.problem}. Fix: ${d.fix}.`,
        ...actions
      );
      if (choice === 'Enable SSH') {
        await this.errors.withProgress("Starting the notebook's SSH server…", signal =>
          this.ssh.enable(result.target.user, signal)
        );
      } else if (choice === 'Connect') {
        await this.connect();
      } else if (choice === 'Copy ssh-add Command') {
        await vscode.env.clipboard.writeText(`ssh-add ${result.facts.key.path}`);
      } else if (choice === 'Open SSH Config') {
        await this.followUp('Open SSH Config', this.ssh.configFile());
      }
    });
  }

  /** The key for this PrimeHub: the one at its path, else a new one or one the user picks. */
  private async pickKey(target: NotebookTarget): Promise<SshKey | undefined> {
    const path = target.spec.identityFile;
    let key = await existingKey(path);
    if (!key) {
      const items: KeyItem[] = [
        {
          label: '$(add) Create a new ed25519 key',
          description: path,
          detail: 'A key of its own for this PrimeHub, without a passphrase, kept in ~/.ssh (0600)',
          action: 'create'
        },
        { label: '$(folder-opened) Use one of my keys…', action: 'choose' }
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Which SSH key should reach your notebook?',
        ignoreFocusOut: true
      });
      if (!picked) {
        return undefined;
      }
      if (picked.action === 'create') {
        key = (await this.ssh.ensureKey(path, `${target.user}@${target.spec.label}`)).key;
      } else {
        const files = await vscode.window.showOpenDialog({
          title: 'Your private key (its .pub beside it)',
          defaultUri: vscode.Uri.file(dirname(path)),
          canSelectMany: false,
          openLabel: 'Use This Key'
        });
        if (!files?.[0]) {
          return undefined;
        }
        key = await existingKey(files[0].fsPath);
        if (!key) {
          return undefined;
        }
        await this.ssh.setKeyPath(target.spec.label, key.path);
        target.spec.identityFile = key.path;
      }
    }
    if (key.encrypted && !(await agentHolds(key.publicKey, process.env.SSH_AUTH_SOCK))) {
      const err = new KeyNotInAgentError(key.path);
      const choice = await vscode.window.showWarningMessage(
        `${err.message}. Then connect again.`,
        'Copy ssh-add Command'
      );
      if (choice) {
        await vscode.env.clipboard.writeText(`ssh-add ${key.path}`);
      }
      return undefined;
    }
    return key;
  }

  /**
   * Has the key authorized on the notebook: opens the notebook's authorize link (its JupyterLab asks the user to
   * confirm the key's fingerprint) or copies the public key, then waits until the key gets through both hops.
   */
  private async authorize(
    target: NotebookTarget,
    key: SshKey
  ): Promise<Awaited<ReturnType<SshManager['tryNotebook']>> | undefined> {
    const items: AuthorizeItem[] = [
      {
        label: "$(link-external) Open the notebook's authorize link",
        detail: "JupyterLab shows the key's fingerprint and adds it to ~/.ssh/authorized_keys when you confirm",
        action: 'link'
      },
      {
        label: '$(copy) Copy the public key',
        detail: "Add it to the notebook's ~/.ssh/authorized_keys yourself (append it; do not replace the file)",
        action: 'copy'
      }
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Authorize this key on your notebook',
      placeHolder: key.publicKey,
      ignoreFocusOut: true
    });
    if (!picked) {
      return undefined;
    }
    if (picked.action === 'link') {
      const lab = await this.labUrl(target);
      if (!lab) {
        return undefined;
      }
      const link = await this.ssh.authorizeLink(target.spec.label, lab, key);
      // at the address this window's browser reaches the Lab at (code-server's port proxy keeps no path or
      // query of a loopback link it rewrites itself), and as a string: vscode.Uri would encode the query's "="
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(lab));
      await vscode.commands.executeCommand(
        'vscode.open',
        onExternalBase(link, lab, externalUiBase(lab, external.toString(true)))
      );
    } else {
      await vscode.env.clipboard.writeText(key.publicKey);
      await this.ssh.noteAuthorizeAsked(target.spec.label);
    }
    const waiting = target.isLocal
      ? 'Waiting for the key to be authorized on the notebook…'
      : "Waiting for the key to be authorized (PrimeHub's bastion may take up to 15 minutes to learn it)…";
    return this.errors.withProgress(waiting, async signal => {
      for (;;) {
        const tried = await this.ssh.tryNotebook(target.spec, key, signal);
        if (!tried.error || !keyRefused(tried.error.hop, target)) {
          return tried;
        }
        await sleep(AUTHORIZE_POLL_MS, signal);
      }
    });
  }

  /** The notebook's JupyterLab page: the setting, else asked (PrimeHub Local) or PrimeHub's `/user/<user>/lab`. */
  private async labUrl(target: NotebookTarget): Promise<string | undefined> {
    const configured = WorkspaceConfigs.sshLabUrl;
    if (configured) {
      return configured;
    }
    const remembered = this.state.get<string>(LAB_URL_KEY);
    const suggestion =
      remembered ??
      (target.isLocal
        ? 'http://127.0.0.1:8888/lab'
        : `${this.ssh.origin()}/user/${encodeURIComponent(target.user)}/lab`);
    const answer = await vscode.window.showInputBox({
      title: "Your notebook's JupyterLab",
      prompt: 'The address of the JupyterLab your browser has open (its token is not needed here and is not kept)',
      value: suggestion,
      ignoreFocusOut: true,
      validateInput: v => (labAddress(v) ? undefined : 'An http(s) address')
    });
    const url = answer === undefined ? undefined : labAddress(answer);
    if (url) {
      await this.state.update(LAB_URL_KEY, url);
    }
    return url;
  }

  /** Opens the notebook: a Remote-SSH window on its home when Remote-SSH is installed, else a terminal. */
  private async open(target: NotebookTarget, file: SshConfigFile, home: string | undefined): Promise<void> {
    const alias = target.aliases.notebook;
    if (vscode.extensions.getExtension(REMOTE_SSH_EXTENSION)) {
      const folder = vscode.Uri.from({
        scheme: 'vscode-remote',
        authority: `ssh-remote+${alias}`,
        path: home ?? `/home/${target.spec.login}`
      });
      this.log.info(`opening ${folder.toString(true)} with Remote-SSH`);
      await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
      return;
    }
    // the terminal runs ssh itself with its arguments as a list: nothing passes through a shell
    const terminal = vscode.window.createTerminal({
      name: `PrimeHub: ${alias}`,
      shellPath: WorkspaceConfigs.remoteSshPath,
      shellArgs: [...file.sshArgs, alias],
      iconPath: new vscode.ThemeIcon('remote')
    });
    terminal.show();
    this.log.info(`opened a terminal running ssh ${alias} (Remote - SSH is not installed)`);
  }

  private offerDoctor(message: string): void {
    void vscode.window.showErrorMessage(message, 'Run SSH Doctor').then(choice => {
      if (choice) {
        void this.doctor();
      }
    });
  }

  private async followUp(choice: string | undefined, file: SshConfigFile): Promise<void> {
    if (choice === 'Open SSH Config') {
      await vscode.window.showTextDocument(vscode.Uri.file(file.path));
    } else if (choice === 'Run SSH Doctor') {
      await this.doctor();
    }
  }

  private showForwards(): void {
    const n = this.ssh.forwards.length;
    if (n === 0) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `$(plug) ${n}`;
    this.statusItem.accessibilityInformation = { label: `Forwarded notebook ports: ${n}` };
    this.statusItem.tooltip = `Forwarded notebook ports: ${this.ssh.forwards
      .map(f => `${f.remotePort} → ${f.url}`)
      .join(', ')} (click to stop one)`;
    this.statusItem.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.statusItem.dispose();
    this.doctorChannel?.dispose();
  }
}

/**
 * Whether a failure at `hop` means the key is not (yet) authorized on the notebook. A cluster's bastion refusing
 * the tunnel says the notebook cannot be reached (no SSH, stopped); PrimeHub Local's refuses it for a key only
 * another notebook authorizes.
 */
function keyRefused(hop: string, target: NotebookTarget): boolean {
  return AUTH_HOPS.has(hop) && (hop !== 'tunnel' || target.status !== undefined);
}

function portOf(v: string): number | undefined {
  const n = Number(v.trim());
  return /^\d+$/.test(v.trim()) && n >= 1 && n <= 65535 ? n : undefined;
}

/** An http(s) address without its query and fragment (a pasted Lab URL may carry its token). */
function labAddress(v: string): string | undefined {
  try {
    const u = new URL(v.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return undefined;
    }
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true }
    );
  });
}
