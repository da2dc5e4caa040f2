import { NetworkError, TimeoutError, type PrimeHubClient } from '@primehub-suite/client';
import { baseUrl } from './endpoints';
import type { HealthAnswer } from './Reachability';

/** How long a health check may take (ms). */
const HEALTH_TIMEOUT_MS = 3000;

/**
 * True for a PrimeHub Local without console pages, from its `/api/health` body
 * (`{status: 'ok', server: 'primehub-local', console: false, jobs}`; older ones had no `server`).
 * A server that says it has a console (`console: true`) keeps the console's links.
 */
export function isLocalHealth(text: string): boolean {
  try {
    const body = JSON.parse(text) as { status?: unknown; server?: unknown; console?: unknown; jobs?: unknown };
    if (body.console === true) {
      return false;
    }
    return (
      body.server === 'primehub-local' || (body.status === 'ok' && typeof body.jobs === 'object' && body.jobs !== null)
    );
  } catch {
    return false;
  }
}

/**
 * Asks the active profile's PrimeHub `/api/health` (no token sent). Any HTTP answer means it is
 * reachable (a cluster may answer 404 there); no answer throws the client's NetworkError or
 * TimeoutError.
 */
export async function probeHealth(connection: {
  client: PrimeHubClient;
  profile?: { endpoint: string };
}): Promise<HealthAnswer> {
  const endpoint = connection.profile?.endpoint;
  if (!endpoint) {
    return { isLocal: false };
  }
  try {
    const res = await connection.client.rest(
      { method: 'GET', url: `${baseUrl(endpoint)}/api/health`, auth: false },
      { timeoutMs: HEALTH_TIMEOUT_MS }
    );
    return { isLocal: res.status === 200 && isLocalHealth(res.text) };
  } catch (e) {
    if (e instanceof NetworkError || e instanceof TimeoutError) {
      throw e;
    }
    return { isLocal: false };
  }
}

/** PrimeHub Local answers at `endpoint` (a quick look, e.g. before asking for a token). */
export async function isPrimeHubLocal(endpoint: string, timeoutMs = 800): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl(endpoint)}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok && isLocalHealth(await res.text());
  } catch {
    return false;
  }
}
