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
    return new SignInError('unreachable', `Cannot reach ${endpoint}: ${e.message}`, { cause: e });
  }
  return new SignInError(
    'notPrimeHub',
    `${endpoint} does not answer like a PrimeHub API (${e instanceof Error ? e.message : String(e)}). Check the URL.`,
    { cause: e }
  );
}
