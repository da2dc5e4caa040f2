/**
 * The one place that knows how the browser reaches PrimeHub: the server extension's routes
 * (`<base_url>/primehub-suite/…`) and a `@primehub-suite/client` pointed at its proxy. The
 * token stays on the server; requests carry Jupyter's own auth and XSRF header.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { FetchTransport, PrimeHubClient } from '@primehub-suite/client/browser';
import type { IPrimeHubConfig, ISnapshot } from './tokens';

const NAMESPACE = 'primehub-suite';

/** An error answered by the server extension, with its machine-readable `code`. */
export class ServerExtensionError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null
  ) {
    super(message);
    this.name = 'ServerExtensionError';
  }
}

function settings(): ServerConnection.ISettings {
  return ServerConnection.makeSettings();
}

/** `http://host/base/primehub-suite/<path>`. */
export function extensionUrl(...parts: string[]): string {
  return URLExt.join(settings().baseUrl, NAMESPACE, ...parts);
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await ServerConnection.makeRequest(extensionUrl(path), init, settings());
  const text = await res.text();
  let body: { message?: string; code?: string } = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): the status tells enough.
  }
  if (!res.ok) {
    throw new ServerExtensionError(body.message ?? `HTTP ${res.status}`, res.status, body.code ?? null);
  }
  return body as T;
}

function json(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
}

export const serverExtension = {
  config: (): Promise<IPrimeHubConfig> => call('config'),
  /** Checks the token with PrimeHub (`me`) and stores it server-side; resolves with the user name. */
  saveToken: (token: string): Promise<{ user: string }> => call('token', json('PUT', { token })),
  clearToken: (): Promise<void> => call('token', { method: 'DELETE' }),
  /** Copies a notebook (server path) or the notebook a job ran (`jobPath`) to a hidden snapshot. */
  snapshot: (source: { path: string } | { jobPath: string }): Promise<ISnapshot> =>
    call('snapshot', json('POST', source)),
  /** The server removes the snapshot once all these jobs have ended. */
  watchSnapshot: (snapshot: string, jobIds: string[]): Promise<void> =>
    call('snapshot', json('POST', { snapshot, jobIds })),
  removeSnapshot: (snapshot: string): Promise<void> =>
    call(`snapshot?path=${encodeURIComponent(snapshot)}`, { method: 'DELETE' })
};

/** Base URL of the proxy in front of the PrimeHub API (`…/primehub-suite/proxy/api`). */
export function proxyBase(): string {
  const base = extensionUrl('proxy', 'api');
  return new URL(base, window.location.href).toString();
}

/**
 * A client whose GraphQL, files and log URLs all go through the proxy. `apiBase()` is PrimeHub's
 * own API prefix, which absolute URLs from the server (log endpoints) start with.
 */
export function createClient(apiBase: () => string | undefined): PrimeHubClient {
  const proxy = proxyBase();
  const transport = new FetchTransport({
    fetch: (url, init) => ServerConnection.makeRequest(String(url), init as RequestInit, settings())
  });
  return new PrimeHubClient({
    endpoint: `${proxy}/graphql`,
    transport,
    rewriteUrl: url => {
      const base = apiBase();
      return base && url.startsWith(`${base}/`) ? `${proxy}/${url.slice(base.length + 1)}` : url;
    }
  });
}
