import { isAbortError, NetworkError, PrimeHubError, TimeoutError } from '../errors';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT'
]);

/**
 * Maps a low-level transport failure to the client's hierarchy. Matches on `code`, not
 * `instanceof`, because undici's classes differ between versions and realms.
 * A caller's abort is returned untouched.
 */
export function mapTransportError(err: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (signal?.aborted) {
    return signal.reason ?? err;
  }
  if (err instanceof PrimeHubError || isAbortError(err)) {
    return err;
  }
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new TimeoutError(`${what} timed out (${code})`, { cause: err, status: 0 });
  }
  return new NetworkError(`${what} failed: ${code ? `${code} ` : ''}${message}`, { cause: err, status: 0 });
}

/** The `code` of an error or of its `cause` (fetch wraps undici errors in a TypeError). */
export function errorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 4 && typeof cur === 'object' && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
