import { escapeHtml, newNonce, webviewPage } from './webviewPage';

describe('a webview page', () => {
  it('escapes text and attribute values', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('has a strict Content-Security-Policy (no inline script but the nonce, resources only of the webview) and loads the shared stylesheet before its own', () => {
    const page = webviewPage({
      cspSource: 'vscode-webview://x',
      nonce: 'abc123',
      scriptUri: 'vscode-webview://x/compare.js',
      styleUris: ['vscode-webview://x/webview.css', 'vscode-webview://x/compare.css'],
      codiconsUri: 'vscode-webview://x/codicon.css',
      title: 'Compare <Runs>'
    });
    expect(page).toContain(
      "content=\"default-src 'none'; style-src vscode-webview://x; font-src vscode-webview://x; img-src vscode-webview://x; script-src 'nonce-abc123'\""
    );
    expect(page).toContain('<script nonce="abc123" src="vscode-webview://x/compare.js"></script>');
    expect(page).toContain('<title>Compare &lt;Runs&gt;</title>');
    expect(page).not.toMatch(/token/i);
    // the codicons, then the shared stylesheet, then the page's own
    const links = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map(m => m[1]);
    expect(links).toEqual([
      'vscode-webview://x/codicon.css',
      'vscode-webview://x/webview.css',
      'vscode-webview://x/compare.css'
    ]);
  });

  it('gets a fresh nonce each time', () => {
    expect(newNonce()).not.toBe(newNonce());
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });
});
