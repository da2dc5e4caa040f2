/**
 * The shell of the extension's webview pages (Compare Runs, Test Endpoint): a strict
 * Content-Security-Policy, the shared stylesheet and the page's own, `#root` for the markup the
 * extension sends. No `vscode` import: it is tested under jest.
 */

/** Text and attribute values as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A quoted attribute value. */
export const attr = (value: string): string => `"${escapeHtml(value)}"`;

/** A fresh nonce for a page's script. */
export function newNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}

/** What a page loads, as webview URIs. */
export interface WebviewPageFiles {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  /** The stylesheets in order: the shared one, then the page's own. */
  styleUris: string[];
  codiconsUri: string;
  title: string;
}

/** The page shell: a strict Content-Security-Policy (no inline script but the nonce's), the stylesheets, `#root`. */
export function webviewPage(opts: WebviewPageFiles): string {
  const csp = [
    "default-src 'none'",
    `style-src ${opts.cspSource}`,
    `font-src ${opts.cspSource}`,
    `img-src ${opts.cspSource}`,
    `script-src 'nonce-${opts.nonce}'`
  ].join('; ');
  const styles = [opts.codiconsUri, ...opts.styleUris].map(uri => `<link rel="stylesheet" href=${attr(uri)}>`);
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">' +
    // no double quote in it: the sources are the webview's own
    `<meta http-equiv="Content-Security-Policy" content="${csp.replace(/"/g, '')}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">' +
    styles.join('') +
    `<title>${escapeHtml(opts.title)}</title></head>` +
    `<body><main id="root" aria-live="polite"></main><script nonce=${attr(opts.nonce)} src=${attr(opts.scriptUri)}></script></body></html>`
  );
}
