/**
 * A tiny stand-in for the JupyterLab server extension's proxy: `<base_url>primehub-suite/proxy/api/…`
 * is forwarded to `<PrimeHub>/api/…` with the bearer token added server-side. Like Jupyter it
 * refuses requests whose `X-XSRFToken` header does not match the `_xsrf` cookie, and it refuses
 * requests that carry their own Authorization header (the browser never holds the token).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  xsrf: boolean;
  clientAuthorization?: string;
}

/** A static response the fake Jupyter server serves (the lab page, its scripts). */
export interface StaticFile {
  type: string;
  body: string;
}

export class JupyterTokenProxy {
  /** Every request that reached the proxy route, in order. */
  readonly seen: ProxiedRequest[] = [];
  /** Pages and scripts under `<base_url>`, by path below it (e.g. `lab`); pages set the `_xsrf` cookie. */
  readonly files = new Map<string, StaticFile>();
  /** Receives the bodies POSTed to `<base_url>report` (a page's test results). */
  onReport?: (body: string) => void;
  readonly xsrfToken = `xsrf-${Math.random().toString(36).slice(2)}`;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly upstream: URL,
    private readonly token: string
  ) {}

  /**
   * @param baseUrl Jupyter's base_url, e.g. `/user/alice/`
   * @param upstream PrimeHub's origin (the proxy adds `/api/…`)
   */
  static async start(baseUrl: string, upstream: string, token: string): Promise<JupyterTokenProxy> {
    const server = createServer();
    const proxy = new JupyterTokenProxy(server, baseUrl, new URL(upstream), token);
    server.on('request', (req, res) => proxy.handle(req, res));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The cookie header a browser holding Jupyter's `_xsrf` cookie sends. */
  get cookie(): string {
    return `_xsrf=${this.xsrfToken}; other=1`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const prefix = `${this.baseUrl}primehub-suite/proxy/api/`;
    const url = req.url ?? '/';
    const local = url.startsWith(this.baseUrl) ? url.slice(this.baseUrl.length).split('?')[0] : undefined;
    const file = local !== undefined ? this.files.get(local) : undefined;
    if (file) {
      res.writeHead(200, {
        'content-type': file.type,
        'set-cookie': `_xsrf=${this.xsrfToken}; Path=${this.baseUrl}; SameSite=Lax`
      });
      res.end(file.body);
      return;
    }
    if (local === 'report' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.writeHead(204).end();
        this.onReport?.(body);
      });
      return;
    }
    if (!url.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const cookie = /(?:^|;\s*)_xsrf=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    const xsrf = cookie !== undefined && req.headers['x-xsrftoken'] === cookie;
    const rest = url.slice(prefix.length);
    this.seen.push({
      method: req.method ?? 'GET',
      path: `/${rest}`,
      xsrf,
      ...(req.headers.authorization ? { clientAuthorization: req.headers.authorization } : {})
    });
    if (!xsrf) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: "'_xsrf' argument missing from POST" }));
      return;
    }
    if (req.headers.authorization) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the browser must not send a token' }));
      return;
    }
    const headers = { ...req.headers };
    delete headers.cookie;
    delete headers['x-xsrftoken'];
    headers.host = this.upstream.host;
    headers.authorization = `Bearer ${this.token}`;
    const up = httpRequest(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: `/api/${rest}`,
        headers
      },
      upRes => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      }
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
