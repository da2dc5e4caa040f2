import * as vscode from 'vscode';

/** The extension's settings, read in one place. */
export const WorkspaceConfigs = {
  get jobsRefreshIntervalMs(): number {
    return Math.max(2, this.section.get<number>('jobs.refreshIntervalSeconds', 10)) * 1000;
  },
  get requestTimeoutMs(): number {
    return Math.max(1, this.section.get<number>('requestTimeoutSeconds', 30)) * 1000;
  },
  get maxJobs(): number {
    return Math.max(10, this.section.get<number>('jobs.maxListed', 100));
  },
  /** Local folders that are the current group's volume (files there run in place). */
  get groupVolumeFolders(): string[] {
    return this.section.get<string[]>('jobs.groupVolumeFolders', []).filter(f => typeof f === 'string' && f);
  },
  get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('primehub');
  }
};
