import * as vscode from 'vscode';
import { newNonce, webviewPage } from './webviewPage';

/** A webview page of the extension: its script and style are `resources/<page>/<page>.js|css`. */
export type WebviewPageName = 'compare' | 'tester';

/** The folders a page's webview may load from: the shared stylesheet's, the page's own, the codicons font's. */
export function webviewResourceRoots(extensionUri: vscode.Uri, page: WebviewPageName): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, 'resources', 'webview'),
    vscode.Uri.joinPath(extensionUri, 'resources', page),
    vscode.Uri.joinPath(extensionUri, 'dist', 'codicons')
  ];
}

/** The page's HTML for `webview`: the shared stylesheet, then the page's own style and script. */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: WebviewPageName,
  title: string
): string {
  const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return webviewPage({
    cspSource: webview.cspSource,
    nonce: newNonce(),
    scriptUri: uri('resources', page, `${page}.js`),
    styleUris: [uri('resources', 'webview', 'webview.css'), uri('resources', page, `${page}.css`)],
    codiconsUri: uri('dist', 'codicons', 'codicon.css'),
    title
  });
}
