import type { DeploymentDetail } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { DeploymentsManager } from '../../deployments/DeploymentsManager';
import {
  deploymentContextValue,
  deploymentDescription,
  newerVersion,
  replicasText,
  statusIcon
} from '../../deployments/deploymentsText';
import { describeError } from '../../errors/describeError';
import { formatTime } from '../../models/modelsText';

// Commands from the view's menus get these instances; they refuse a look-alike object (another
// extension's), see `CommandArgs`.

/** A deployment in the Deployments view; its children are its endpoint, replicas, model and clients. */
export class DeploymentNode {
  readonly kind = 'deployment';
  constructor(readonly deployment: DeploymentDetail) {}
}

/** One fact of a deployment (its endpoint, replicas, model URI, last update…). */
export class DeploymentValueNode {
  readonly kind = 'value';
  constructor(
    readonly deployment: DeploymentDetail,
    readonly key: string,
    readonly label: string,
    readonly value: string,
    readonly icon: string
  ) {}
}

/** A newer version of the deployment's model: clicking it updates the deployment to it. */
export class DeploymentNewerNode {
  readonly kind = 'newer';
  constructor(
    readonly deployment: DeploymentDetail,
    readonly version: string
  ) {}
}

/** A client of a private endpoint. */
export class DeploymentClientNode {
  readonly kind = 'client';
  constructor(
    readonly deployment: DeploymentDetail,
    readonly name: string
  ) {}
}

/** A message in place of the list (it could not be listed). */
export class DeploymentsMessageNode {
  readonly kind = 'message';
  constructor(readonly text: string) {}
}

/** A node of the Deployments view. */
export type DeploymentsNode =
  | DeploymentNode
  | DeploymentValueNode
  | DeploymentNewerNode
  | DeploymentClientNode
  | DeploymentsMessageNode;

/** The group's deployments, each with a status icon (spinning while it changes) and its facts as children. */
export class DeploymentsTreeDataProvider implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deployments: DeploymentsManager) {
    this.subscription = deployments.model.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
  }

  getChildren(node?: DeploymentsNode): DeploymentsNode[] {
    const model = this.deployments.model;
    if (!node) {
      if (model.error !== undefined && model.deployments.length === 0) {
        return [new DeploymentsMessageNode(describeError('Listing the deployments', model.error).message)];
      }
      return model.deployments.map(d => new DeploymentNode(d));
    }
    if (node.kind !== 'deployment') {
      return [];
    }
    // the deployment as listed last, not as the node was made
    const d = model.get(node.deployment.id) ?? node.deployment;
    const value = (key: string, label: string, v: string | null | undefined, icon: string) =>
      v ? [new DeploymentValueNode(d, key, label, v, icon)] : [];
    const newer = newerVersion(d, n => model.latestVersionOf(n));
    return [
      ...(newer ? [new DeploymentNewerNode(d, newer.version)] : []),
      ...value('message', 'Message', d.status === 'Failed' ? d.message : undefined, 'warning'),
      ...value('endpoint', 'Endpoint', d.endpoint, 'link'),
      new DeploymentValueNode(d, 'replicas', 'Replicas', `${replicasText(d)} available`, 'server-process'),
      ...value('modelURI', 'Model', d.modelURI, 'package'),
      ...value('modelImage', 'Model server', d.modelImage, 'server-environment'),
      ...value('instanceType', 'Instance type', d.instanceType?.name, 'chip'),
      new DeploymentValueNode(
        d,
        'access',
        'Access',
        d.endpointAccessType === 'private' ? 'private (HTTP Basic, a client and its token)' : 'public',
        d.endpointAccessType === 'private' ? 'lock' : 'globe'
      ),
      ...value('updated', 'Last update', formatTime(d.lastUpdatedTime) ?? undefined, 'history'),
      ...(d.endpointAccessType === 'private'
        ? (d.endpointClients ?? []).map(c => new DeploymentClientNode(d, c.name))
        : [])
    ];
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'deployment': {
        const d = node.deployment;
        const model = this.deployments.model;
        const item = new vscode.TreeItem(d.name || d.id, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `deployment:${d.id}`;
        const newer = newerVersion(d, n => model.latestVersionOf(n));
        item.description = deploymentDescription(d) + (newer ? ` · version ${newer.version} available` : '');
        const icon = statusIcon(d.status);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.contextValue = deploymentContextValue(d, n => model.latestVersionOf(n));
        const md = new vscode.MarkdownString();
        md.appendMarkdown('**');
        md.appendText(d.name || d.id);
        md.appendMarkdown(`** — ${d.status ?? 'Unknown'}\n\n`);
        const facts: Array<[string, string | null | undefined]> = [
          ['id', d.id],
          ['endpoint', d.endpoint],
          ['replicas', `${replicasText(d)} available`],
          ['model', d.modelURI],
          ['model server', d.modelImage],
          ['instance type', d.instanceType?.name],
          ['access', d.endpointAccessType],
          ['last update', formatTime(d.lastUpdatedTime)]
        ];
        md.appendText(
          facts
            .filter(([, v]) => v)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n')
        );
        if (d.message) {
          md.appendText(`\n\n${d.message}`);
        }
        item.tooltip = md;
        return item;
      }
      case 'value': {
        const item = new vscode.TreeItem(node.label);
        item.id = `deployment:${node.deployment.id}/${node.key}`;
        item.description = node.value;
        item.tooltip = `${node.label}: ${node.value}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = `deployment.value.${node.key}`;
        return item;
      }
      case 'newer': {
        const item = new vscode.TreeItem(`Update to version ${node.version}`);
        item.id = `deployment:${node.deployment.id}/newer`;
        item.description = 'a newer version of the model is registered';
        item.iconPath = new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('charts.blue'));
        item.command = {
          command: 'primehub.deployments.updateToNewest',
          title: `Update to Version ${node.version}`,
          arguments: [node]
        };
        item.contextValue = 'deployment.newer';
        return item;
      }
      case 'client': {
        const item = new vscode.TreeItem(node.name);
        item.id = `deployment:${node.deployment.id}/client/${node.name}`;
        item.description = 'client';
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'deployment.client';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.tooltip = node.text;
        return item;
      }
    }
  }

  /** The node of a listed deployment (for `TreeView.reveal`). */
  nodeFor(id: string): DeploymentNode | undefined {
    const d = this.deployments.model.get(id);
    return d ? new DeploymentNode(d) : undefined;
  }

  getParent(node: DeploymentsNode): DeploymentsNode | undefined {
    return node.kind === 'deployment' || node.kind === 'message' ? undefined : new DeploymentNode(node.deployment);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
