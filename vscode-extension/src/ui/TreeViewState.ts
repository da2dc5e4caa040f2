import * as vscode from 'vscode';
import type { Event } from '../util/Emitter';

/** What a tree view says of its model besides its rows. */
export interface TreeViewTexts<M> {
  /** The view's message (a failed listing as last seen, a service not answering); undefined for none. */
  message?(model: M): string | undefined;
  /** The text beside the view's title (how many there are). */
  description?(model: M): string | undefined;
  /** The when-clause key the view's welcome content follows, and the model's value for it. */
  context?: { key: string; value(model: M): unknown };
}

/**
 * What a tree view says besides its rows, kept in step with its model: its message (PrimeHub not
 * answering wins over the model's own), its description, and the context key of its welcome content
 * (set only when its value changes).
 */
export class TreeViewState<M extends { readonly onDidChange: Event<void> }> implements vscode.Disposable {
  private outage?: string;
  private contextValue?: { value: unknown };
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly view: Pick<vscode.TreeView<unknown>, 'message' | 'description'>,
    private readonly model: M,
    private readonly texts: TreeViewTexts<NoInfer<M>>
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
    const { message, description, context } = this.texts;
    this.view.message = this.outage ?? message?.(this.model);
    this.view.description = description?.(this.model);
    if (context) {
      const value = context.value(this.model);
      if (!this.contextValue || this.contextValue.value !== value) {
        this.contextValue = { value };
        void vscode.commands.executeCommand('setContext', context.key, value);
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
