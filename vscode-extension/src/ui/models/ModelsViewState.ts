import * as vscode from 'vscode';
import type { ModelsModel, ModelsStatus } from '../../models/ModelsModel';
import { modelsViewMessage } from '../../models/modelsText';
import type { ModelsNode } from './ModelsTreeDataProvider';

/** The when-clause key of the Models view's welcome content (`ready`, `unavailable`, …). */
export const MODELS_STATUS_CONTEXT = 'primehub.context.models';

/**
 * What the Models view says besides its rows: its message (PrimeHub or MLflow not answering, a
 * failed listing), the number of models in its title, and the status its welcome content
 * follows (no models yet; the group has no MLflow).
 */
export class ModelsViewState implements vscode.Disposable {
  private outage?: string;
  private status?: ModelsStatus;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly view: vscode.TreeView<ModelsNode>,
    private readonly model: ModelsModel
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
    this.view.message = this.outage ?? modelsViewMessage(m);
    this.view.description =
      m.models.length > 0 ? `${m.models.length} model${m.models.length === 1 ? '' : 's'}` : undefined;
    if (m.status !== this.status) {
      this.status = m.status;
      void vscode.commands.executeCommand('setContext', MODELS_STATUS_CONTEXT, m.status);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
