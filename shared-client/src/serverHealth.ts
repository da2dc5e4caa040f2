/**
 * What a PrimeHub server's `/api/health` says about it, for UIs that link to PrimeHub's web
 * console: PrimeHub Local answers `{status: 'ok', server: 'primehub-local', console: false, jobs}`
 * and serves no console pages (API token, job pages); a PrimeHub cluster has the console.
 */

/** The path of the health endpoint, below the server's base URL (no token needed). */
export const HEALTH_PATH = '/api/health';

/** A server as its health answer describes it. */
export interface ServerHealth {
  /** The answer is PrimeHub Local's. */
  primeHubLocal: boolean;
  /** The server has PrimeHub's web console (`/console/…` pages such as the API token page). */
  console: boolean;
}

/**
 * Reads a `/api/health` body (text or parsed JSON). Anything that is not PrimeHub Local's answer
 * (a cluster's 404 page, no body) is taken as a PrimeHub with its console. PrimeHub Local from
 * before `server` was added is known by its `jobs` report.
 */
export function readServerHealth(body: unknown): ServerHealth {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      value = undefined;
    }
  }
  const b = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const local = b.server === 'primehub-local' || (b.status === 'ok' && typeof b.jobs === 'object' && b.jobs !== null);
  return { primeHubLocal: local, console: local ? b.console === true : b.console !== false };
}
