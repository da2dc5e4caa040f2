/**
 * The one place that knows how the browser reaches PrimeHub: the server extension's routes
 * (`<base_url>/primehub-suite/…`) and a `@primehub-suite/client` pointed at its proxy. The
 * token stays on the server; requests carry Jupyter's own auth and XSRF header.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { PrimeHubClient, type TransportRequest } from '@primehub-suite/client/browser';
import type { IAuthorizedKey, IAuthorizedKeys, IKeyCheck, IPrimeHubConfig, ISnapshot } from './tokens';

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
  /** Stops using the token in this Lab (the server never edits a config file it does not own). */
  clearToken: (): Promise<void> => call('token', { method: 'DELETE' }),
  /** Copies a notebook (server path) to a hidden snapshot beside it. */
  snapshot: (source: { path: string }): Promise<ISnapshot> => call('snapshot', json('POST', source)),
  /** The server removes the snapshot once all these jobs have ended. */
  watchSnapshot: (snapshot: string, jobIds: string[]): Promise<void> =>
    call('snapshot/jobs', json('POST', { snapshot, jobIds })),
  removeSnapshot: (snapshot: string): Promise<void> =>
    call(`snapshot?path=${encodeURIComponent(snapshot)}`, { method: 'DELETE' }),
  /** The keys of the notebook's `~/.ssh/authorized_keys`. */
  authorizedKeys: (): Promise<IAuthorizedKeys> => call('ssh/authorized-keys'),
  /** What adding `key` (a public key line) would add, without adding it; refused keys reject with the reason. */
  checkKey: (key: string): Promise<IKeyCheck> => call('ssh/authorized-keys/check', json('POST', { key })),
  /** Appends `key` to `~/.ssh/authorized_keys` unless it is there already (`added` false then). */
  addKey: (key: string): Promise<IAuthorizedKeys & { added: boolean; key: IAuthorizedKey }> =>
    call('ssh/authorized-keys', json('POST', { key })),
  /** Removes the key with this `SHA256:…` fingerprint from `~/.ssh/authorized_keys`. */
  removeKey: (fingerprint: string): Promise<IAuthorizedKeys & { removed: number }> =>
    call(`ssh/authorized-keys?fingerprint=${encodeURIComponent(fingerprint)}`, { method: 'DELETE' })
};

/** Jupyter's own credentials for a same-origin request: the XSRF header (and the page's token, if any). */
function jupyterHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const xsrf = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie)?.[1];
  if (xsrf) {
    headers['X-XSRFToken'] = decodeURIComponent(xsrf);
  }
  const token = PageConfig.getToken();
  if (token) {
    headers.Authorization = `token ${token}`;
  }
  return headers;
}

/** A deployment's prediction route: `…/deployment/<id>/api/v1.0/predictions`. */
const PREDICTIONS = /\/deployment\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\/(api\/v(?:1\.0|0\.1)\/predictions)$/;

/** The header the server extension takes a private endpoint's client credentials from. */
const CLIENT_AUTHORIZATION = 'x-primehub-client-authorization';

/**
 * A deployment endpoint's URL as the browser reaches it: through the server extension's
 * `…/primehub-suite/proxy/deployment/<id>/…` (the endpoint is on PrimeHub's origin, which answers no
 * cross-origin request), which sends it to that route of the PrimeHub this Lab is signed in to.
 * Any other URL is returned as it is.
 */
export function predictionUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const m = PREDICTIONS.exec(u.pathname);
  return m ? `${extensionUrl('proxy', 'deployment', m[1], m[2])}${u.search}` : url;
}

/**
 * A request to the deployment proxy keeps Jupyter's own Authorization: a private endpoint's client
 * credentials (HTTP Basic) travel in a header of their own, which the proxy sends on as the
 * endpoint's Authorization.
 */
function withClientCredentials(request: TransportRequest): TransportRequest {
  const auth = request.headers.authorization;
  if (!auth?.startsWith('Basic ') || !request.url.startsWith(extensionUrl('proxy', 'deployment'))) {
    return request;
  }
  const headers: Record<string, string> = { ...request.headers, [CLIENT_AUTHORIZATION]: auth };
  delete headers.authorization;
  const jupyter = jupyterHeaders().Authorization;
  if (jupyter) {
    headers.authorization = jupyter;
  }
  return { ...request, headers };
}

/**
 * The client in proxy mode: GraphQL, files and logs all go to `…/primehub-suite/proxy/api`, which
 * adds the PrimeHub token; no token in the browser. Predictions go through the deployment proxy.
 */
export function createClient(onAuthError?: () => void): PrimeHubClient {
  return new PrimeHubClient({
    baseUrl: extensionUrl('proxy', 'api'),
    headers: jupyterHeaders,
    rewriteUrl: predictionUrl,
    hook: (request, send) => send(withClientCredentials(request)),
    onAuthError,
    // The models' polls try again with backoff themselves; a PrimeHub that does not answer is
    // reported after the client's timeout (30 s), not after four of them.
    retry: false
  });
}
