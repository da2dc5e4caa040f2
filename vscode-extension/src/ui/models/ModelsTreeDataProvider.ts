import type { MLflowSetting, Model, ModelVersion } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { describeError } from '../../errors/describeError';
import type { ModelsManager } from '../../models/ModelsManager';
import { latestVersion } from '../../models/modelName';
import { formatTime, modelsViewMessage } from '../../models/modelsText';
import { formatMetric, type RunSummary } from '../../models/runs';

// Commands from the view's menus get these instances; they refuse a look-alike object (another
// extension's), see `CommandArgs`.

/** A registered model in the Models view; its children are its versions. */
export class ModelNode {
  readonly kind = 'model';
  constructor(readonly model: Model) {}
}

/** A version of a model; its children are its source run, when it was created and where it is deployed. */
export class ModelVersionNode {
  readonly kind = 'version';
  constructor(
    readonly modelName: string,
    readonly version: ModelVersion
  ) {}
}

/** The MLflow run a version was registered from; its children are the run's params and metrics. */
export class ModelRunNode {
  readonly kind = 'run';
  constructor(
    readonly modelName: string,
    readonly version: string,
    readonly run: RunSummary,
    readonly mlflow: MLflowSetting | null
  ) {}
}

/** One fact: a param or metric of a run, a version's creation time or deployments. */
export class ModelValueNode {
  readonly kind = 'value';
  constructor(
    readonly id: string,
    readonly label: string,
    readonly value: string,
    readonly icon: string,
    readonly tooltip?: string
  ) {}
}

/** A message in place of a list (it could not be listed, or holds nothing). */
export class ModelsMessageNode {
  readonly kind = 'message';
  constructor(
    readonly text: string,
    readonly icon = 'warning'
  ) {}
}

/** A node of the Models view. */
export type ModelsNode = ModelNode | ModelVersionNode | ModelRunNode | ModelValueNode | ModelsMessageNode;

/**
 * The group's registered models → their versions → each version's source run (params, metrics),
 * creation time and deployments. Versions and a version's run are read when first expanded.
 */
export class ModelsTreeDataProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly models: ModelsManager) {
    this.subscription = models.model.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      const model = this.models.model;
      // an unreachable MLflow and a group without one are said by the view's message and welcome
      if (model.status === 'error' && model.models.length === 0) {
        return [new ModelsMessageNode(modelsViewMessage(model) ?? 'Could not list the models.')];
      }
      return model.models.map(m => new ModelNode(m));
    }
    switch (node.kind) {
      case 'model':
        return this.versionNodes(node.model.name);
      case 'version':
        return this.versionChildren(node);
      case 'run':
        return [
          ...node.run.params.map(
            ([k, v]) => new ModelValueNode(`${runNodeId(node)}/param/${k}`, k, v, 'symbol-parameter', `parameter ${k}`)
          ),
          ...node.run.metrics.map(
            ([k, v]) =>
              new ModelValueNode(
                `${runNodeId(node)}/metric/${k}`,
                k,
                formatMetric(v),
                'graph-line',
                `metric ${k}: ${v}`
              )
          )
        ];
      default:
        return [];
    }
  }

  private async versionNodes(name: string): Promise<ModelsNode[]> {
    try {
      const versions = await this.models.versions(name);
      if (versions.length === 0) {
        return [new ModelsMessageNode('No versions', 'info')];
      }
      return versions.map(v => new ModelVersionNode(name, v));
    } catch (e) {
      return [new ModelsMessageNode(describeError(`Listing the versions of ${name}`, e).message)];
    }
  }

  private async versionChildren(node: ModelVersionNode): Promise<ModelsNode[]> {
    const { modelName, version } = node;
    const id = `version:${modelName}/${version.version}`;
    try {
      const detail = await this.models.versionDetail(modelName, version.version);
      const v = detail.version;
      const deployedBy = Array.isArray(v.deployedBy) ? v.deployedBy.map(deploymentName).filter(Boolean) : [];
      return [
        detail.run
          ? new ModelRunNode(modelName, v.version, detail.run, detail.mlflow)
          : new ModelValueNode(`${id}/source`, 'Source', v.source ?? 'unknown', 'file-symlink-directory'),
        new ModelValueNode(`${id}/created`, 'Created', formatTime(v.creationTimestamp) ?? 'unknown', 'calendar'),
        new ModelValueNode(
          `${id}/deployedBy`,
          'Deployed by',
          deployedBy.length > 0 ? deployedBy.join(', ') : 'no deployment',
          'rocket'
        )
      ];
    } catch (e) {
      return [new ModelsMessageNode(describeError(`Reading version ${version.version} of ${modelName}`, e).message)];
    }
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.text;
        return item;
      }
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `model:${m.name}`;
        const latest = latestVersion(m);
        item.description = latest !== undefined ? `latest version ${latest}` : undefined;
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = 'model';
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMd(m.name)}**\n\n`);
        if (m.description) {
          md.appendText(`${m.description}\n\n`);
        }
        const created = formatTime(m.creationTimestamp);
        const updated = formatTime(m.lastUpdatedTimestamp);
        md.appendText([created && `created ${created}`, updated && `updated ${updated}`].filter(Boolean).join(' · '));
        item.tooltip = md;
        return item;
      }
      case 'version': {
        const v = node.version;
        const item = new vscode.TreeItem(`Version ${v.version}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `version:${node.modelName}/${v.version}`;
        item.description = formatTime(v.creationTimestamp);
        item.iconPath = new vscode.ThemeIcon('versions');
        item.contextValue = 'model.version';
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMd(node.modelName)}** version ${escapeMd(v.version)}\n\n`);
        md.appendCodeblock(this.models.modelUri(node.modelName, v.version), 'text');
        if (v.source) {
          md.appendText(`source ${v.source}`);
        }
        item.tooltip = md;
        return item;
      }
      case 'run': {
        const r = node.run;
        const hasValues = r.params.length + r.metrics.length > 0;
        const item = new vscode.TreeItem(
          `Run ${r.name}`,
          hasValues ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None
        );
        item.id = runNodeId(node);
        item.description = [r.status, formatTime(r.startTime)].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = node.mlflow?.uiUrl && r.experimentId ? 'model.run.ui' : 'model.run';
        item.tooltip = `MLflow run ${r.runId}${r.experimentId ? ` (experiment ${r.experimentId})` : ''}`;
        return item;
      }
      case 'value': {
        const item = new vscode.TreeItem(node.label);
        item.id = node.id;
        item.description = node.value;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

function runNodeId(node: ModelRunNode): string {
  return `run:${node.modelName}/${node.version}`;
}

/** A deployment in a version's `deployedBy`: its name or id (the API's shape is open). */
function deploymentName(d: unknown): string {
  if (typeof d === 'string') {
    return d;
  }
  const o = (d ?? {}) as { name?: unknown; id?: unknown };
  return typeof o.name === 'string' ? o.name : typeof o.id === 'string' ? o.id : '';
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, c => `\\${c}`);
}
