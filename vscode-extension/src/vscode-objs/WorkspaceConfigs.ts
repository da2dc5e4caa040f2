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
  /** The notebook's JupyterLab page for the SSH key's authorize link; '' when not set. */
  get sshLabUrl(): string {
    return this.section.get<string>('ssh.labUrl', '').trim();
  },
  /** The SSH bastion's port on a PrimeHub cluster (PrimeHub Local says its own). */
  get sshBastionPort(): number {
    const port = this.section.get<number>('ssh.bastionPort', 2222);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : 2222;
  },
  /** Remote - SSH's `remote.SSH.configFile` (the SSH config it reads), '' when not set. */
  get remoteSshConfigFile(): string {
    return vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile', '').trim();
  },
  /** Remote - SSH's `remote.SSH.path` (the ssh program), else `ssh`. */
  get remoteSshPath(): string {
    return vscode.workspace.getConfiguration('remote.SSH').get<string>('path', '').trim() || 'ssh';
  },
  get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('primehub');
  }
};
