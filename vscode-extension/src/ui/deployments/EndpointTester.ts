import type { DeploymentDetail, PredictionResult } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { RequestDraft } from '../../deployments/requestInput';
import { formatBytes } from '../../files/transferText';
import { webviewHtml, webviewResourceRoots } from '../webviewFiles';
import { problemHtml, resultHtml, savedOptions, testerBody, testerHeader, type TesterView } from './testerHtml';
import { parseTesterMessage, type TesterMessage } from './testerMessages';

/** What the tester opens with: its deployment, the request to prefill and where it came from, the saved names. */
export interface TesterStart {
  deployment: DeploymentDetail;
  draft: RequestDraft;
  prefilledFrom?: string;
  saved: string[];
}

/**
 * The Test Endpoint webview panel of one deployment: the page gets its markup by message (made here
 * from plain data) and posts back what the user does with the request as typed; the requests are
 * sent by the extension host (the page never gets a token). Shown in the Compare webview's way (CSP
 * with a nonce, the page's own script and style, codicons).
 */
export class EndpointTester implements vscode.Disposable {
  private deployment: DeploymentDetail;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly start: TesterStart,
    onMessage: (tester: EndpointTester, message: TesterMessage) => void
  ) {
    this.deployment = start.deployment;
    const webview = panel.webview;
    panel.title = `Test ${this.name}`;
    webview.html = webviewHtml(webview, extensionUri, 'tester', `Test ${this.name}`);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseTesterMessage(raw);
        if (message?.type === 'ready') {
          this.ready = true;
          this.init();
        } else if (message) {
          onMessage(this, message);
        }
      })
    );
  }

  /** The webview's resources: the page's script and style, and the codicons font. */
  static localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
    return webviewResourceRoots(extensionUri, 'tester');
  }

  get id(): string {
    return this.deployment.id;
  }

  get current(): DeploymentDetail {
    return this.deployment;
  }

  private get name(): string {
    return this.deployment.name || this.deployment.id;
  }

  /** Whether the page has loaded (tests wait for it). */
  get isReady(): boolean {
    return this.ready;
  }

  /** The deployment changed (status, endpoint): the header says so. */
  setDeployment(d: DeploymentDetail): void {
    this.deployment = d;
    void this.post({ type: 'header', html: testerHeader(this.view(this.start.saved)) });
  }

  /** A request about to go: the page says "Sending…". */
  sending(): void {
    void this.post({ type: 'sending' });
  }

  /** The endpoint's answer. */
  showResult(result: PredictionResult): void {
    void this.post({ type: 'result', state: result.ok ? 'ok' : 'failed', html: resultHtml(result) });
  }

  /** A request that was not sent or got no answer: why, the request left as typed. */
  showProblem(message: string): void {
    void this.post({ type: 'result', state: 'problem', html: problemHtml(message) });
  }

  /** Shows a request (a saved one loaded). */
  showDraft(draft: RequestDraft): void {
    void this.post({ type: 'draft', draft });
  }

  /** The saved requests' names, `selected` chosen. */
  showSaved(names: string[], selected?: string): void {
    this.start.saved = names;
    void this.post({ type: 'saved', html: savedOptions(names), selected });
  }

  /** The file picked for binData. */
  showFile(name: string, size: number): void {
    void this.post({ type: 'file', name, label: `${name} (${formatBytes(size)})` });
  }

  private view(saved: string[]): TesterView {
    const d = this.deployment;
    return {
      name: this.name,
      id: d.id,
      endpoint: d.endpoint,
      status: d.status,
      access: d.endpointAccessType === 'private' ? 'private' : 'public',
      prefilledFrom: this.start.prefilledFrom,
      saved
    };
  }

  private init(): void {
    void this.post({
      type: 'init',
      html: testerBody(this.view(this.start.saved), this.start.draft),
      draft: this.start.draft
    });
  }

  private post(message: unknown): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}
