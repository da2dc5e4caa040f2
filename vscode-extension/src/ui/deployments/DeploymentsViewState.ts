import * as vscode from 'vscode';
import type { DeploymentsModel } from '../../deployments/DeploymentsModel';
import { describeError } from '../../errors/describeError';
import type { DeploymentsNode } from './DeploymentsTreeDataProvider';

/** The when-clause key of the Deployments view's welcome content: true once listed (none yet). */
export const DEPLOYMENTS_LOADED_CONTEXT = 'primehub.context.deploymentsLoaded';

/**
 * What the Deployments view says besides its rows: its message (PrimeHub not answering, a failed
 * refresh with the deployments as last seen), the number of deployments and how many are deployed.
 */
export class DeploymentsViewState implements vscode.Disposable {
  private outage?: string;
  private loaded?: boolean;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly view: vscode.TreeView<DeploymentsNode>,
    private readonly model: DeploymentsModel
  ) {
    this.subscription = model.onDidChange(() => this.update());
    this.update();
  }

  /** PrimeHub itself does not answer: its message wins over the view's own (undefined when it answers). */
  setOutage(message: string | undefined): void {
    this.outage = message;
    this.update();
  }

  private update(): void {
    const m = this.model;
    const failed =
      m.error !== undefined && m.deployments.length > 0 && m.failedAt
        ? `${describeError('Refreshing the deployments', m.error).message} Deployments as last seen at ${m.failedAt.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}.`
        : undefined;
    this.view.message = this.outage ?? failed;
    const n = m.deployments.length;
    const deployed = m.deployments.filter(d => d.status === 'Deployed').length;
    this.view.description = n > 0 ? `${deployed} of ${n} deployed` : undefined;
    if (m.loaded !== this.loaded) {
      this.loaded = m.loaded;
      void vscode.commands.executeCommand('setContext', DEPLOYMENTS_LOADED_CONTEXT, m.loaded);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
