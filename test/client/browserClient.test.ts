import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBrowserEntry } from '../../shared-client/src/testing/bundle';
import { requires } from '../../shared-client/src/testing/paths';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/machine.cjs';
import { LocalServerProcess } from '../kit/localServer';
import { JupyterTokenProxy } from './jupyterProxy';
import { unique } from './support';

const MiB = 1024 * 1024;

/** What the page reports back. */
interface PageReport {
  error?: string;
  user?: string;
  progress?: number[];
  total?: number;
  downloaded?: number;
  intact?: boolean;
  abort?: string;
  files?: string[];
}

/**
 * The page: JupyterLab's situation. The webpack bundle of the browser build runs in real Chromium
 * on the Jupyter server's origin, with a relative baseUrl, Jupyter's XSRF header from its cookie
 * and no token; uploads go through XMLHttpRequest (progress, abort), the rest through fetch.
 */
function page(group: string, dir: string, size: number): string {
  const script = `
(async () => {
  const out = {};
  try {
    const xsrf = () => decodeURIComponent((document.cookie.match(/(?:^|;\\s*)_xsrf=([^;]*)/) || [])[1] || '');
    const client = new PrimeHub.PrimeHubClient({
      baseUrl: 'primehub-suite/proxy/api',
      group: ${JSON.stringify(group)},
      headers: () => ({ 'X-XSRFToken': xsrf() })
    });
    out.user = (await client.me.get()).username;
    const size = ${size};
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = i % 251;
    const progress = [];
    await client.files.upload(${JSON.stringify(`/${dir}/big.bin`)}, new Blob([bytes]), {
      onProgress: p => progress.push(p.bytes)
    });
    out.progress = progress;
    out.total = size;
    const dl = await client.files.download(${JSON.stringify(`/${dir}/big.bin`)});
    let n = 0;
    let intact = true;
    for await (const chunk of dl.body) {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] !== (n + i) % 251) intact = false;
      n += chunk.length;
    }
    out.downloaded = n;
    out.intact = intact;
    const ac = new AbortController();
    try {
      await client.files.upload(${JSON.stringify(`/${dir}/aborted.bin`)}, new Blob([new Uint8Array(4 * size)]), {
        signal: ac.signal,
        onProgress: () => ac.abort(new DOMException('user cancelled', 'AbortError'))
      });
      out.abort = 'resolved';
    } catch (e) {
      out.abort = e.name + ': ' + e.message;
    }
    out.files = (await client.files.list(${JSON.stringify(`/${dir}`)})).map(f => f.name);
    await client.close();
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  await fetch('report', { method: 'POST', body: JSON.stringify(out) });
})();`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>lab</title>
<script>window.onerror = (m, s, l) => { fetch('report', { method: 'POST', body: JSON.stringify({ error: m + ' ' + s + ':' + l }) }); };</script>
<script src="static/primehub-client.js"></script></head><body><script>${script}</script></body></html>`;
}

/**
 * The browser build in a real browser (headless Chromium) behind the JupyterLab proxy: uploads
 * report progress and can be aborted (XMLHttpRequest), and everything goes through the proxy with
 * the XSRF header taken from Jupyter's cookie.
 */
describe('client (browser build) in Chromium: proxy mode, upload progress and abort', () => {
  let server: LocalServerProcess;
  let proxy: JupyterTokenProxy;
  let chromium: ChildProcess | undefined;
  let profile: string;

  beforeAll(async () => {
    requires(existsSync(CHROMIUM), `Chromium at ${CHROMIUM}`);
    server = await LocalServerProcess.start();
    proxy = await JupyterTokenProxy.start('/user/alice/', server.baseUrl, server.token);
    profile = mkdtempSync(join(tmpdir(), 'phc-chromium-'));
  });

  /** Stops the browser: /usr/bin/chromium is a wrapper script, so its whole process group. */
  const stopChromium = async (): Promise<void> => {
    const child = chromium;
    chromium = undefined;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
  };

  afterAll(async () => {
    await stopChromium();
    await proxy?.close();
    await server?.dispose();
    if (profile) {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  });

  test('a 48 MiB Blob upload reports progress, round-trips intact; an abort stops the next one', async () => {
    const { code } = await bundleBrowserEntry();
    const dir = unique('browser');
    proxy.files.set('static/primehub-client.js', { type: 'text/javascript', body: code });
    proxy.files.set('lab', { type: 'text/html', body: page(server.groupName, dir, 48 * MiB) });
    let browserLog = '';
    const reported = new Promise<PageReport>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `the page reported nothing within 90 s; proxied: ${proxy.seen.map(x => x.path).join(' ')}\n${browserLog.slice(-3000)}`
            )
          ),
        90_000
      );
      proxy.onReport = body => {
        clearTimeout(timer);
        resolve(JSON.parse(body) as PageReport);
      };
    });
    chromium = spawn(
      CHROMIUM,
      [
        '--headless',
        ...CHROMIUM_ARGS,
        '--enable-logging=stderr',
        `--user-data-dir=${profile}`,
        `${proxy.origin}/user/alice/lab`
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true }
    );
    chromium.stderr?.on('data', d => (browserLog += d));
    const r = await reported;
    await stopChromium();
    expect(r.error).toBeUndefined();
    expect(r.user).toBeTruthy();
    // XMLHttpRequest progress: several reports, growing, ending at the whole size
    const progress = r.progress ?? [];
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((b, i) => i === 0 || b >= progress[i - 1])).toBe(true);
    expect(progress[progress.length - 1]).toBe(48 * MiB);
    expect(r.downloaded).toBe(48 * MiB);
    expect(r.intact).toBe(true);
    // the caller's abort reason, untouched; nothing half-written is left
    expect(r.abort).toBe('AbortError: user cancelled');
    expect(r.files).toEqual(['big.bin']);
    // the uploads went through the proxy, with the header from the cookie and no token
    const uploads = proxy.seen.filter(s => s.method === 'POST' && s.path.startsWith('/files/'));
    expect(uploads.length).toBe(2);
    expect(proxy.seen.every(s => s.xsrf && s.clientAuthorization === undefined)).toBe(true);
  });
});
