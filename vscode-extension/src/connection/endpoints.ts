import { ValidationError } from '@primehub-suite/client';

/** PrimeHub Local's address when started with its defaults (`npm start`, `primehub-local`). */
export const PRIMEHUB_LOCAL_DEFAULT = 'http://127.0.0.1:8321';

/** True for a host of this machine (`localhost`, `127.x.x.x`, `::1`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/**
 * What a user typed, with a scheme: as typed when it has one; `http://` for this machine (where
 * PrimeHub Local serves plain HTTP), `https://` for any other host.
 */
export function withScheme(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return text;
  }
  const host = /^(\[[^\]]*\]|[^/:?#]*)/.exec(text)?.[1] ?? '';
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${text}`;
}

/**
 * The GraphQL endpoint for what a user typed: a PrimeHub URL (`https://host`, `https://host/console`,
 * `127.0.0.1:8321`) or the endpoint itself (`https://host/api/graphql`).
 */
export function graphqlEndpoint(input: string): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(withScheme(text));
  } catch {
    throw new ValidationError(`"${text}" is not a URL; enter e.g. https://primehub.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`"${text}" is not an http(s) URL`);
  }
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  if (!/\/graphql$/.test(path)) {
    path = path.replace(/\/console(\/.*)?$/, '');
    path = `${path}/api/graphql`;
  }
  url.pathname = path;
  return url.toString();
}

/** The PrimeHub base URL of a GraphQL endpoint (`https://host/api/graphql` → `https://host`). */
export function baseUrl(endpoint: string): string {
  return endpoint.replace(/\/api\/graphql\/?$/, '').replace(/\/+$/, '');
}

/** The console page where a user creates an API token. */
export function apiTokenPage(endpoint: string, group?: string): string {
  const base = baseUrl(endpoint);
  return group ? `${base}/console/g/${encodeURIComponent(group)}/api-token` : `${base}/console/api-token`;
}

/** The console page of one job. */
export function jobConsolePage(endpoint: string, group: string, jobId: string): string {
  return `${baseUrl(endpoint)}/console/g/${encodeURIComponent(group)}/job/${encodeURIComponent(jobId)}`;
}
