import * as vscode from 'vscode';
import type { ErrorCommands, ReportProgress } from '../errors/ErrorCommands';
import { FileEntryNode, FileNode, folderOf, PHFS_SCHEME } from '../ui/files/FilesTreeDataProvider';
import { pickDownloadFolder } from '../ui/dialogs/pickDownloadFolder';
import { isString, isStringArray, isTrue, type CommandArgs } from '../util/commandArgs';
import type { FilesManager } from './FilesManager';
import { progressIncrement, transferText, type TransferState } from './transferText';

/** PHFS commands: upload, download, delete, new folder, copy URI, open read-only. */
export class FilesCommands {
  constructor(
    private readonly files: FilesManager,
    private readonly errors: ErrorCommands
  ) {}

  /**
   * Registers the `primehub.files.*` commands. A node counts only when the Files view gave it;
   * local paths, a target folder, a folder name and the skip-confirmation flag only in tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    const nodes = [FileEntryNode];
    return [
      commands.register('primehub.files.refresh', () => this.refresh()),
      commands.register('primehub.files.upload', (args, node, paths) => {
        // from the Explorer's menu: the clicked file and the selection
        const clicked = args.accept(node, { nodes: [vscode.Uri, ...nodes] });
        if (clicked instanceof vscode.Uri) {
          // the selection when the clicked file is part of it, else the clicked file
          const selected = Array.isArray(paths) ? paths.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
          const files = selected.some(u => u.toString() === clicked.toString()) ? selected : [clicked];
          return this.upload(
            undefined,
            files.map(u => u.fsPath)
          );
        }
        return this.upload(clicked, args.accept(paths, { inTests: isStringArray }));
      }),
      commands.register('primehub.files.download', (args, node, dir) =>
        this.download(args.accept(node, { nodes }), args.accept(dir, { inTests: isString }))
      ),
      commands.register('primehub.files.delete', (args, node, confirmed) =>
        this.delete(args.accept(node, { nodes }), args.accept(confirmed, { inTests: isTrue }) === true)
      ),
      commands.register('primehub.files.newFolder', (args, node, name) =>
        this.newFolder(args.accept(node, { nodes }), args.accept(name, { inTests: isString }))
      ),
      commands.register('primehub.files.copyUri', (args, node) => this.copyUri(args.accept(node, { nodes }))),
      commands.register('primehub.files.open', (args, node) => this.open(args.accept(node, { nodes })))
    ];
  }

  refresh(): void {
    this.files.refreshAll();
  }

  /** Uploads files or folders (picked, or `localPaths`) into the node's folder. */
  async upload(node?: FileNode, localPaths?: string[]): Promise<string[] | undefined> {
    let paths = localPaths;
    if (!paths) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        openLabel: 'Upload',
        title: `Upload to phfs://${folderOf(node)}`,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri
      });
      if (!picked?.length) {
        return undefined;
      }
      paths = picked.map(u => u.fsPath);
    }
    const toUpload = paths;
    const dir = folderOf(node);
    let written: string[] | undefined;
    await this.errors.guard(`Uploading to ${dir}`, async () => {
      written = await this.errors.withProgress(`Uploading to phfs://${dir}`, (signal, report) =>
        this.files.upload(toUpload, dir, { signal, onProgress: reporter(report) })
      );
      vscode.window.setStatusBarMessage(`Uploaded ${written.length} file(s) to phfs://${dir}`, 5000);
    });
    return written;
  }

  async download(node?: FileNode, targetDir?: string): Promise<string[] | undefined> {
    if (!node || node.kind !== 'entry') {
      return undefined;
    }
    const dir = targetDir ?? (await pickDownloadFolder(`Download ${node.entry.path}`));
    if (!dir) {
      return undefined;
    }
    let written: string[] | undefined;
    await this.errors.guard(`Downloading ${node.entry.path}`, async () => {
      written = await this.errors.withProgress(`Downloading ${node.entry.path}`, (signal, report) =>
        this.files.download(node.entry, dir, { signal, onProgress: reporter(report) })
      );
      vscode.window.setStatusBarMessage(`Downloaded ${written.length} file(s) to ${dir}`, 5000);
    });
    return written;
  }

  /** Deletes after a modal confirmation (`confirmed` skips it for automation). */
  async delete(node?: FileNode, confirmed = false): Promise<boolean> {
    if (!node || node.kind !== 'entry') {
      return false;
    }
    const what = node.entry.isDirectory ? `the folder ${node.entry.path} and everything in it` : node.entry.path;
    if (!confirmed) {
      const answer = await vscode.window.showWarningMessage(
        `Delete ${what} from the group's shared files? This cannot be undone.`,
        { modal: true },
        'Delete'
      );
      if (answer !== 'Delete') {
        return false;
      }
    }
    let done = false;
    await this.errors.guard(`Deleting ${node.entry.path}`, async () => {
      await this.errors.withProgress(`Deleting ${node.entry.path}…`, signal => this.files.delete(node.entry, signal));
      done = true;
    });
    return done;
  }

  async newFolder(node?: FileNode, name?: string): Promise<string | undefined> {
    const parent = folderOf(node);
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: `New folder in phfs://${parent}`,
        ignoreFocusOut: true,
        validateInput: v => (v.trim() && !/(^|\/)\.\.?(\/|$)/.test(v) ? undefined : 'Enter a folder name')
      }));
    if (!chosen) {
      return undefined;
    }
    let dir: string | undefined;
    await this.errors.guard('Creating the folder', async () => {
      dir = await this.files.newFolder(parent, chosen);
    });
    return dir;
  }

  async copyUri(node?: FileNode): Promise<void> {
    if (node?.kind === 'entry') {
      await vscode.env.clipboard.writeText(node.entry.phfsUri);
      vscode.window.setStatusBarMessage(`Copied ${node.entry.phfsUri}`, 3000);
    }
  }

  /** Opens a PHFS file in a read-only editor. */
  async open(node?: FileNode): Promise<void> {
    if (node?.kind !== 'entry' || node.entry.isDirectory) {
      return;
    }
    const entry = node.entry;
    await this.errors.guard(`Opening ${entry.path}`, async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: PHFS_SCHEME, path: entry.path }));
      await vscode.window.showTextDocument(doc, { preview: true });
    });
  }
}

/** Reports a transfer's progress with its total, moving the notification's bar. */
function reporter(report: ReportProgress): (p: TransferState) => void {
  let percent = 0;
  return p => {
    const increment = progressIncrement(p, percent);
    percent += increment;
    report(transferText(p), increment || undefined);
  };
}
