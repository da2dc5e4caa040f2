import type { FileEntry } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { FilesManager } from '../../files/FilesManager';

/**
 * A PHFS file or folder in the Files view. Commands from the view's menus get this instance;
 * they refuse a look-alike object (another extension's), see `CommandArgs`.
 */
export class FileEntryNode {
  readonly kind = 'entry';
  constructor(readonly entry: FileEntry) {}
}

/** A message in place of a folder's children. */
export class FileMessageNode {
  readonly kind = 'message';
  constructor(readonly text: string) {}
}

/** A node of the Files view. */
export type FileNode = FileEntryNode | FileMessageNode;

/** The URI scheme of read-only PHFS editors. */
export const PHFS_SCHEME = 'primehub-phfs';

const URI_LIST = 'text/uri-list';

/**
 * The group's PHFS, folder by folder (listed when expanded). Files and folders dropped from the
 * Explorer are uploaded into the folder they are dropped on.
 */
export class FilesTreeDataProvider
  implements vscode.TreeDataProvider<FileNode>, vscode.TreeDragAndDropController<FileNode>, vscode.Disposable
{
  readonly dropMimeTypes = [URI_LIST];
  readonly dragMimeTypes: string[] = [];
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<FileNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly files: FilesManager,
    private readonly uploadDropped: (localPaths: string[], target: FileNode | undefined) => Promise<void>
  ) {
    this.subscription = files.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
  }

  refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  async getChildren(node?: FileNode): Promise<FileNode[]> {
    if (!this.files.available || node?.kind === 'message' || (node && !node.entry.isDirectory)) {
      return [];
    }
    try {
      const entries = await this.files.list(node ? node.entry.path : '/');
      if (entries.length === 0 && node) {
        return [new FileMessageNode('Empty folder')];
      }
      return entries.map(entry => new FileEntryNode(entry));
    } catch (e) {
      return [new FileMessageNode(`Could not list: ${(e as Error).message}`)];
    }
  }

  getTreeItem(node: FileNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    const e = node.entry;
    const name = e.name.replace(/\/$/, '').split('/').pop() || e.name;
    const item = new vscode.TreeItem(
      name,
      e.isDirectory ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None
    );
    item.id = `phfs:${e.path}`;
    item.resourceUri = vscode.Uri.from({ scheme: PHFS_SCHEME, path: e.path });
    item.iconPath = e.isDirectory ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
    item.contextValue = e.isDirectory ? 'phfs.folder' : 'phfs.file';
    item.tooltip = e.phfsUri;
    if (!e.isDirectory) {
      item.description = e.size !== null ? formatBytes(e.size) : undefined;
      item.command = { command: 'primehub.files.open', title: 'Open Read-Only', arguments: [node] };
    }
    return item;
  }

  async handleDrop(target: FileNode | undefined, data: vscode.DataTransfer): Promise<void> {
    const list = await data.get(URI_LIST)?.asString();
    if (!list) {
      return;
    }
    // the extension host runs where the workspace is: a dropped URI's path is a local path
    const paths = list
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l && !l.startsWith('#'))
      .map(l => vscode.Uri.parse(l))
      .filter(u => u.scheme === 'file' || u.scheme === 'vscode-remote')
      .map(u => u.fsPath);
    if (paths.length > 0) {
      await this.uploadDropped(paths, target);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

/** The PHFS folder a command on `node` works in: the folder itself, a file's folder, or the root. */
export function folderOf(node: FileNode | undefined): string {
  if (!node || node.kind === 'message') {
    return '/';
  }
  if (node.entry.isDirectory) {
    return node.entry.path;
  }
  return node.entry.path.replace(/[^/]*$/, '');
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Serves PHFS files to read-only editors (`primehub-phfs:/path`). */
export class PhfsContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly files: FilesManager) {}

  provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    return this.files.readText(uri.path, ac.signal);
  }
}
