import type { ArtifactItem, Job } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { JobsManager } from '../../jobs/JobsManager';
import { JobStatusGroup, statusGroupOf } from '../../jobs/JobsModel';

// Commands from the view's menus get these instances; they refuse a look-alike object (another
// extension's), see `CommandArgs`.

/** A status group (Running, Succeeded…) in the Jobs view. */
export class JobGroupNode {
  readonly kind = 'group';
  constructor(
    readonly group: JobStatusGroup,
    readonly count: number
  ) {}
}

/** A job in the Jobs view. */
export class JobNode {
  readonly kind = 'job';
  constructor(readonly job: Job) {}
}

/** One artifact of a job in the Jobs view. */
export class ArtifactNode {
  readonly kind = 'artifact';
  constructor(
    readonly job: Job,
    readonly artifact: ArtifactItem
  ) {}
}

/** A message in place of a list (none yet, or it could not be listed). */
export class JobsMessageNode {
  readonly kind = 'message';
  constructor(
    readonly text: string,
    readonly icon: string
  ) {}
}

/** "Load more…" at the end of a listing that holds only the newest jobs. */
export class JobsLoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly listed: number,
    readonly total: number | undefined
  ) {}
}

/** A node of the Jobs view. */
export type JobsNode = JobGroupNode | JobNode | ArtifactNode | JobsMessageNode | JobsLoadMoreNode;

const GROUP_ICONS: Record<JobStatusGroup, vscode.ThemeIcon> = {
  Running: new vscode.ThemeIcon('sync', new vscode.ThemeColor('charts.blue')),
  Succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  Failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  Cancelled: new vscode.ThemeIcon('circle-slash')
};

function phaseIcon(phase: string | null): vscode.ThemeIcon {
  switch (phase) {
    case 'Pending':
    case 'Preparing':
      return new vscode.ThemeIcon('clock');
    case 'Running':
      return new vscode.ThemeIcon('loading~spin');
    case 'Succeeded':
      return GROUP_ICONS.Succeeded;
    case 'Cancelled':
      return GROUP_ICONS.Cancelled;
    default:
      return GROUP_ICONS.Failed;
  }
}

function formatSize(bytes: number | null): string {
  if (bytes === null) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

/** The `contextValue` of a job node: menus offer cancel only on running jobs, and so on. */
export function jobContextValue(job: Job): string {
  const phase = job.phase ?? 'Pending';
  return ['Succeeded', 'Failed', 'Cancelled', 'Unknown'].includes(phase) ? 'job.finished' : 'job.running';
}

/** Jobs grouped by status; a job's children are its artifacts. */
export class JobsTreeDataProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly jobs: JobsManager) {
    this.subscription = jobs.model.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
  }

  /** While PrimeHub cannot be reached, unfinished jobs read as last seen, not as running now. */
  private stale = false;

  setStale(stale: boolean): void {
    if (stale !== this.stale) {
      this.stale = stale;
      this._onDidChangeTreeData.fire(undefined);
    }
  }

  refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  getChildren(node?: JobsNode): JobsNode[] | Promise<JobsNode[]> {
    const model = this.jobs.model;
    if (!node) {
      const groups = model.groups();
      if (model.error !== undefined && groups.length === 0) {
        const e = model.error;
        return [new JobsMessageNode(`Could not list jobs: ${e instanceof Error ? e.message : String(e)}`, 'warning')];
      }
      const nodes: JobsNode[] = groups.map(g => new JobGroupNode(g.group, g.jobs.length));
      if (model.extent.hasMore) {
        nodes.push(new JobsLoadMoreNode(model.jobs.length, model.extent.total));
      }
      return nodes;
    }
    if (node.kind === 'group') {
      return model.jobsIn(node.group).map(job => new JobNode(job));
    }
    if (node.kind === 'job') {
      return this.artifactNodes(node.job);
    }
    return [];
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(
          node.group,
          node.group === 'Running'
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.Collapsed
        );
        item.id = `group:${node.group}`;
        item.description = String(node.count);
        item.iconPath = GROUP_ICONS[node.group];
        item.contextValue = 'jobGroup';
        return item;
      }
      case 'job': {
        const job = node.job;
        const item = new vscode.TreeItem(job.displayName || job.id, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `job:${job.id}`;
        const unsure = this.stale && !this.jobs.isFinished(job);
        item.description = `${unsure ? 'last seen ' : ''}${job.phase ?? 'Pending'} · ${job.id}`;
        item.iconPath = unsure ? new vscode.ThemeIcon('question') : phaseIcon(job.phase);
        item.contextValue = jobContextValue(job);
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${job.displayName ?? job.id}** — ${job.phase ?? 'Pending'}\n\n`);
        md.appendMarkdown(`id \`${job.id}\` · ${job.instanceType?.name ?? ''} · ${job.image ?? ''}\n\n`);
        if (job.createTime) {
          md.appendMarkdown(`created ${new Date(job.createTime).toLocaleString()}\n\n`);
        }
        if (job.message) {
          md.appendText(job.message);
        }
        item.tooltip = md;
        return item;
      }
      case 'artifact': {
        const item = new vscode.TreeItem(node.artifact.name, vscode.TreeItemCollapsibleState.None);
        item.id = `artifact:${node.job.id}:${node.artifact.name}`;
        item.description = formatSize(node.artifact.size);
        item.iconPath = vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.parse(`primehub-artifact:/${node.job.id}/${node.artifact.name}`);
        item.contextValue = 'artifact';
        return item;
      }
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = 'loadMore';
        item.description =
          node.total !== undefined ? `${node.listed} of ${node.total} listed` : `${node.listed} listed`;
        item.iconPath = new vscode.ThemeIcon('more');
        item.command = { command: 'primehub.jobs.loadMore', title: 'Load More Jobs' };
        item.contextValue = 'loadMore';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'message';
        return item;
      }
    }
  }

  /** The node of a listed job (for `TreeView.reveal`). */
  nodeFor(jobId: string): JobsNode | undefined {
    const job = this.jobs.model.get(jobId);
    return job ? new JobNode(job) : undefined;
  }

  getParent(node: JobsNode): JobsNode | undefined {
    if (node.kind === 'job') {
      const group = statusGroupOf(node.job.phase);
      return new JobGroupNode(group, this.jobs.model.jobsIn(group).length);
    }
    if (node.kind === 'artifact') {
      return new JobNode(node.job);
    }
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }

  private async artifactNodes(job: Job): Promise<JobsNode[]> {
    try {
      const items = await this.jobs.artifacts(job.id);
      if (items.length === 0) {
        return [
          new JobsMessageNode(this.jobs.isFinished(job) ? 'No artifacts' : 'Artifacts appear when the job ends', 'info')
        ];
      }
      return items.map(artifact => new ArtifactNode(job, artifact));
    } catch (e) {
      return [new JobsMessageNode(`Could not list artifacts: ${(e as Error).message}`, 'warning')];
    }
  }
}
