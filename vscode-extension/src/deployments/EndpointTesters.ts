import type { DeploymentDetail, PredictInput } from '@primehub-suite/client';
import {
  curlCommand,
  httpFileRequest,
  pythonRequestsCode,
  type EndpointRequest
} from '@primehub-suite/client/deployments';
import * as vscode from 'vscode';
import { EndpointTester } from '../ui/deployments/EndpointTester';
import type { CopyFormat, TesterMessage } from '../ui/deployments/testerMessages';
import type { ClientCredentials } from './ClientCredentials';
import type { DeploymentsManager } from './DeploymentsManager';
import { draftToInput, inputToDraft, RequestInputError, type PickedFile, type RequestDraft } from './requestInput';

/** The webview panel's type (VS Code restores nothing of it: it is opened again from the view). */
export const TESTER_VIEW_TYPE = 'primehub.endpointTester';
/** A binData file larger than this is not read into memory. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** What Test Endpoint asks of the editor and the user; the Deployments commands answer (they alone call `window.*`). */
export interface TesterPrompts {
  /** Opens a tester's webview panel (scripts on, its resources under `localResourceRoots`). */
  createPanel(title: string, localResourceRoots: vscode.Uri[]): vscode.WebviewPanel;
  /** A file to send as binData (undefined: none picked). */
  pickFile(title: string): Promise<vscode.Uri | undefined>;
  /** How a private endpoint's token goes into a copied request: a placeholder (`{}`), pasted, or cancelled. */
  copyToken(client: string): Promise<{ password?: string } | undefined>;
  /** Puts text on the clipboard and says so in the status bar. */
  copy(text: string, said: string): Promise<void>;
  /** Says something briefly in the status bar. */
  status(message: string): void;
}

/**
 * The open Test Endpoint panels, one per deployment, and what their pages ask for: send the request
 * as typed (through the client, with a private endpoint's client and token), copy it as curl, Python
 * or `.http`, pick a binData file (its bytes stay here), keep requests by name.
 */
export class EndpointTesters implements vscode.Disposable {
  private readonly testers = new Map<string, EndpointTester>();
  /** binData files picked per tester. */
  private readonly files = new Map<string, PickedFile>();

  constructor(
    private readonly deployments: DeploymentsManager,
    private readonly credentials: ClientCredentials,
    private readonly extensionUri: vscode.Uri,
    private readonly prompts: TesterPrompts
  ) {}

  /** The deployment's open tester. */
  get(id: string): EndpointTester | undefined {
    return this.testers.get(id);
  }

  /** Opens (or shows) the deployment's tester, its request prefilled. */
  async open(d: DeploymentDetail): Promise<EndpointTester> {
    const open = this.testers.get(d.id);
    if (open) {
      open.panel.reveal();
      return open;
    }
    const key = this.deployments.requestKey(d.id);
    const hints = d.modelURI ? await this.deployments.hintsFor(d.modelURI).catch(() => undefined) : undefined;
    const last = this.deployments.requests.last(key);
    const start = hints?.example
      ? { draft: inputToDraft(hints.example), prefilledFrom: hints.exampleFrom }
      : last
        ? { draft: last, prefilledFrom: 'the last request sent' }
        : { draft: { form: 'ndarray' as const, text: '[[]]' } };
    const panel = this.prompts.createPanel(
      `Test ${d.name || d.id}`,
      EndpointTester.localResourceRoots(this.extensionUri)
    );
    const tester = new EndpointTester(
      panel,
      this.extensionUri,
      { deployment: d, ...start, saved: this.deployments.requests.list(key).map(r => r.name) },
      (t, m) => void this.onMessage(t, m)
    );
    this.testers.set(d.id, tester);
    panel.onDidDispose(() => {
      tester.dispose();
      this.testers.delete(d.id);
      this.files.delete(d.id);
    });
    return tester;
  }

  /** The deployment changed: its tester's header says so. */
  show(d: DeploymentDetail): void {
    this.testers.get(d.id)?.setDeployment(d);
  }

  /** The deployment as listed last (its clients changed): its tester's header says so. */
  refresh(id: string): void {
    const d = this.deployments.model.get(id);
    if (d) {
      this.show(d);
    }
  }

  /** The deployment is gone: its tester closes. */
  close(id: string): void {
    this.testers.get(id)?.panel.dispose();
  }

  private async onMessage(tester: EndpointTester, m: TesterMessage): Promise<void> {
    const key = this.deployments.requestKey(tester.id);
    const requests = this.deployments.requests;
    try {
      switch (m.type) {
        case 'send':
          return await this.send(tester, m.draft);
        case 'copy':
          return await this.copy(tester, m.format, m.draft);
        case 'pickFile':
          return await this.pickFile(tester);
        case 'save':
          await requests.save(key, m.name, m.draft);
          tester.showSaved(
            requests.list(key).map(r => r.name),
            m.name
          );
          this.prompts.status(`Saved request ${m.name}`);
          return;
        case 'load': {
          const saved = requests.get(key, m.name);
          if (saved) {
            tester.showDraft(saved.draft);
          }
          return;
        }
        case 'deleteSaved':
          await requests.delete(key, m.name);
          tester.showSaved(requests.list(key).map(r => r.name));
          return;
        case 'refresh':
          this.refresh(tester.id);
          return;
      }
    } catch (e) {
      tester.showProblem(e instanceof Error ? e.message : String(e));
    }
  }

  /** Sends the request as typed (through the client, in the extension host) and shows the answer. */
  private async send(tester: EndpointTester, draft: RequestDraft): Promise<void> {
    const input = inputOf(tester, () => draftToInput(draft, this.files.get(tester.id)));
    if (!input) {
      return;
    }
    const d = (await this.deployments.reread(tester.id).catch(() => undefined)) ?? tester.current;
    tester.setDeployment(d);
    if (!d.endpoint) {
      tester.showProblem(`${d.name || d.id} has no endpoint yet: it is ${d.status ?? 'not deployed'}.`);
      return;
    }
    const auth = d.endpointAccessType === 'private' ? await this.credentials.auth(d) : undefined;
    if (d.endpointAccessType === 'private' && !auth) {
      tester.showProblem('A private endpoint takes a client and its token: none was given, nothing was sent.');
      return;
    }
    tester.sending();
    try {
      const result = await this.deployments.send(d.endpoint, input, auth);
      tester.showResult(result);
      if (auth) {
        await this.credentials.answered(d.id, auth, result.status);
      }
      await this.deployments.requests.setLast(this.deployments.requestKey(d.id), draft).catch(() => undefined);
    } catch (e) {
      tester.showProblem(`No answer from ${d.endpoint}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Copies the request as curl, Python or `.http`; a private endpoint's token as a placeholder unless pasted. */
  private async copy(tester: EndpointTester, format: CopyFormat, draft: RequestDraft): Promise<void> {
    const d = tester.current;
    if (!d.endpoint) {
      tester.showProblem(`${d.name || d.id} has no endpoint yet: there is nothing to copy a request for.`);
      return;
    }
    // the copied request names the file; its bytes are not needed
    const input = inputOf(tester, () =>
      draft.form === 'binData'
        ? { binData: new Uint8Array(), filename: this.files.get(d.id)?.name ?? draft.fileName ?? 'file' }
        : draftToInput(draft)
    );
    if (!input) {
      return;
    }
    const req: EndpointRequest = { endpoint: d.endpoint, input };
    if (d.endpointAccessType === 'private') {
      const username = await this.credentials.client(d);
      const token = username && (await this.prompts.copyToken(username));
      if (!username || !token) {
        return;
      }
      req.auth = { username, ...token };
    }
    const text =
      format === 'curl' ? curlCommand(req) : format === 'python' ? pythonRequestsCode(req) : httpFileRequest(req);
    const names = { curl: 'a curl command', python: 'Python requests code', http: 'a .http request' };
    await this.prompts.copy(text, `Copied the request as ${names[format]}`);
  }

  /** A file for a binData request, read here (the webview gets its name and size only). */
  private async pickFile(tester: EndpointTester): Promise<void> {
    const uri = await this.prompts.pickFile(`The file to send to ${tester.current.name || tester.id} (binData)`);
    if (!uri) {
      return;
    }
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_FILE_BYTES) {
      tester.showProblem(
        `The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; send it with curl (Copy as curl).`
      );
      return;
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    const name = uri.path.split('/').pop() ?? 'file';
    this.files.set(tester.id, { name, bytes });
    tester.showFile(name, bytes.byteLength);
  }

  dispose(): void {
    for (const t of this.testers.values()) {
      t.panel.dispose();
    }
    this.files.clear();
  }
}

/** The request `make` builds, or undefined once the tester says why it cannot be sent as typed. */
function inputOf(tester: EndpointTester, make: () => PredictInput): PredictInput | undefined {
  try {
    return make();
  } catch (e) {
    if (e instanceof RequestInputError) {
      tester.showProblem(e.message);
      return undefined;
    }
    throw e;
  }
}
