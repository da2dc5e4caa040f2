import { AuthError, isAbortError, NetworkError, TimeoutError } from '@primehub-suite/client';

/** Why verifying an endpoint and token failed. */
export type SignInProblem = 'badToken' | 'selfSigned' | 'unreachable' | 'notPrimeHub' | 'cancelled';

/** A sign-in failure the sign-in flow explains and, where it can, offers to fix. */
export class SignInError extends Error {
  override name = 'SignInError';
  constructor(
    readonly problem: SignInProblem,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
  }
}

const CERT_PROBLEM =
  /SELF_SIGNED|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED|self[- ]signed certificate/i;

function chainText(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, i = 0; c && i < 5; i++) {
    if (c instanceof Error) {
      parts.push(c.message, String((c as { code?: unknown }).code ?? ''));
      c = c.cause;
    } else {
      break;
    }
  }
  return parts.join(' ');
}

const TLS_PROBLEM = /SSL|TLS|EPROTO|wrong version number|handshake|packet length too long/i;

/**
 * Why a PrimeHub could not be reached, as a sentence (never a raw OpenSSL or errno text): a TLS
 * handshake that failed (e.g. https to a plain-HTTP server), a refused connection, an unknown
 * host, a timeout.
 */
export function unreachableReason(endpoint: string, e: unknown): string {
  const text = chainText(e);
  let host = endpoint;
  let https = false;
  try {
    const url = new URL(endpoint);
    host = url.host;
    https = url.protocol === 'https:';
  } catch {
    // keep the endpoint as typed
  }
  if (e instanceof TimeoutError || /ETIMEDOUT|timed? ?out/i.test(text)) {
    return `${host} did not answer in time.`;
  }
  if (https && TLS_PROBLEM.test(text)) {
    return `the secure (HTTPS) connection to ${host} failed. If this PrimeHub serves plain HTTP (as PrimeHub Local does), use an http:// URL.`;
  }
  if (/ECONNREFUSED/.test(text)) {
    return `nothing answers at ${host} (connection refused). Check the URL and port, and that PrimeHub is running.`;
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) {
    return `the host name ${host.replace(/:\d+$/, '')} is not known. Check the URL.`;
  }
  if (/ECONNRESET|socket hang up|other side closed/i.test(text)) {
    return `${host} closed the connection. Check the URL (http or https, and the port).`;
  }
  return `${host} could not be reached. Check the URL and your network.`;
}

/** Turns the error of the `me` check into the problem the user has to fix. */
export function classifySignInError(endpoint: string, e: unknown): SignInError {
  if (isAbortError(e)) {
    return new SignInError('cancelled', 'Sign-in cancelled', { cause: e });
  }
  if (e instanceof AuthError) {
    return new SignInError(
      'badToken',
      `PrimeHub at ${endpoint} rejected the API token. Copy a current token from the API token page.`,
      { cause: e }
    );
  }
  if (e instanceof NetworkError && CERT_PROBLEM.test(chainText(e))) {
    return new SignInError(
      'selfSigned',
      `${endpoint} presents a TLS certificate that is not trusted (self-signed or from an unknown authority).`,
      { cause: e }
    );
  }
  if (e instanceof NetworkError || e instanceof TimeoutError) {
    return new SignInError('unreachable', `Cannot reach ${endpoint}: ${unreachableReason(endpoint, e)}`, {
      cause: e
    });
  }
  return new SignInError(
    'notPrimeHub',
    `${endpoint} does not answer like a PrimeHub API (${e instanceof Error ? e.message : String(e)}). Check the URL.`,
    { cause: e }
  );
}
