import * as vscode from 'vscode';

/** An always-empty view, so the manifest's welcome content (e.g. "comes in a later release") shows. */
export class PlaceholderTreeDataProvider implements vscode.TreeDataProvider<never> {
  getChildren(): never[] {
    return [];
  }

  getTreeItem(node: never): vscode.TreeItem {
    return node;
  }
}
