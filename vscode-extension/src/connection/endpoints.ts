import { ValidationError } from '@primehub-suite/client';

/**
 * The GraphQL endpoint for what a user typed: a PrimeHub URL (`https://host`, `https://host/console`)
 * or the endpoint itself (`https://host/api/graphql`).
 */
export function graphqlEndpoint(input: string): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
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
