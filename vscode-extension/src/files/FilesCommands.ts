import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { FileNode, folderOf, PHFS_SCHEME } from '../ui/files/FilesTreeDataProvider';
import type { FilesManager } from './FilesManager';

/** PHFS commands: upload, download, delete, new folder, copy URI, open read-only. */
export class FilesCommands {
  constructor(
    private readonly files: FilesManager,
    private readonly errors: ErrorCommands
  ) {}

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
        this.files.upload(toUpload, dir, { signal, onProgress: (bytes, path) => report(`${path} ${kb(bytes)}`) })
      );
      vscode.window.setStatusBarMessage(`Uploaded ${written.length} file(s) to phfs://${dir}`, 5000);
    });
    return written;
  }

  async download(node?: FileNode, targetDir?: string): Promise<string[] | undefined> {
    if (!node || node.kind !== 'entry') {
      return undefined;
    }
    let dir = targetDir;
    if (!dir) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Download Here',
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri
      });
      if (!picked?.[0]) {
        return undefined;
      }
      dir = picked[0].fsPath;
    }
    const into = dir;
    let written: string[] | undefined;
    await this.errors.guard(`Downloading ${node.entry.path}`, async () => {
      written = await this.errors.withProgress(`Downloading ${node.entry.path}`, (signal, report) =>
        this.files.download(node.entry, into, { signal, onProgress: (bytes, path) => report(`${path} ${kb(bytes)}`) })
      );
      vscode.window.setStatusBarMessage(`Downloaded ${written.length} file(s) to ${into}`, 5000);
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

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}
