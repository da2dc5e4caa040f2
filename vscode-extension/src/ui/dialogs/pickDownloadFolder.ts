import * as vscode from 'vscode';

interface FolderItem extends vscode.QuickPickItem {
  /** The folder picked, or undefined for "choose another". */
  folder?: string;
}

/**
 * Asks where a download goes. With a workspace open its folders come first (one Enter downloads
 * into the first), then "Choose Another Folder…" opens the folder dialog; without one, the dialog
 * opens directly. Undefined when the user dismisses it.
 */
export async function pickDownloadFolder(title: string): Promise<string | undefined> {
  const workspaceFolders = vscode.workspace.workspaceFolders ?? [];
  if (workspaceFolders.length > 0) {
    const items: FolderItem[] = [
      ...workspaceFolders.map(f => ({
        label: `$(folder) ${f.name}`,
        description: f.uri.fsPath,
        detail: 'Workspace folder',
        folder: f.uri.fsPath
      })),
      { label: '$(folder-opened) Choose Another Folder…' }
    ];
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Download into which folder?' });
    if (!picked) {
      return undefined;
    }
    if (picked.folder) {
      return picked.folder;
    }
  }
  const chosen = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Download Here',
    title,
    defaultUri: workspaceFolders[0]?.uri
  });
  return chosen?.[0]?.fsPath;
}
