import * as vscode from 'vscode';
import type { CompareModel } from '../../compare/CompareModel';
import { webviewHtml, webviewResourceRoots } from '../webviewFiles';
import { compareBody } from './compareHtml';
import { parseCompareMessage, type CompareMessage } from './compareMessages';

/**
 * The Compare Runs webview panel: shows a CompareModel. The page gets its markup by message (made
 * here from the model's plain view state); it never gets a token, and asks for nothing itself.
 */
export class ComparePanel implements vscode.Disposable {
  private model?: CompareModel;
  private subscription?: { dispose(): unknown };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    onMessage: (message: CompareMessage) => void
  ) {
    const webview = panel.webview;
    webview.html = webviewHtml(webview, extensionUri, 'compare', 'Compare Runs');
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseCompareMessage(raw);
        if (message?.type === 'ready') {
          this.render();
        } else if (message) {
          onMessage(message);
        }
      })
    );
  }

  /** The webview's resources: the page's script and style, and the codicons font. */
  static localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
    return webviewResourceRoots(extensionUri, 'compare');
  }

  get current(): CompareModel | undefined {
    return this.model;
  }

  /** Shows `model` from now on. */
  show(model: CompareModel): void {
    this.subscription?.dispose();
    this.model = model;
    this.subscription = model.onDidChange(() => this.render());
    this.render();
  }

  private render(): void {
    if (!this.model) {
      return;
    }
    this.panel.title = `Compare Runs: ${this.model.title}`;
    void this.panel.webview.postMessage({
      type: 'render',
      state: this.model.status,
      html: compareBody(this.model.view())
    });
  }

  dispose(): void {
    this.subscription?.dispose();
    this.disposables.forEach(d => d.dispose());
  }
}
