import { isAbortError, isPrimeHubError, PrimeHubError } from './errors';

/**
 * What kind of failure an error is, for a UI to choose its remedy: `auth` → sign in again,
 * `network` → retry, `invalid` → fix the input, `cancelled` → show nothing.
 */
export type ErrorKind =
  | 'auth'
  | 'quota'
  | 'network'
  | 'permission'
  | 'notFound'
  | 'conflict'
  | 'invalid'
  | 'unavailable'
  | 'cancelled'
  | 'other';

/** An error as a user reads it: one sentence, plus its kind. */
export interface UserFacingError {
  kind: ErrorKind;
  /** "<what> failed: <why>", without operation names, URLs or HTTP jargon where PrimeHub said more. */
  message: string;
  /** What PrimeHub (or the network) said, for a log line or a "details" view. */
  detail: string;
}

/** True for a user's cancel (an abort, or an editor's own `Canceled` error): never shown as a failure. */
export function isCancel(e: unknown): boolean {
  return isAbortError(e) || (e instanceof Error && e.name === 'Canceled');
}

/**
 * What the server said, without the client's framing: a GraphQL error's own message, the body
 * of a REST error (`GET <url> failed with HTTP 404: <body>`), else the message without its
 * operation prefix (`JobGet: …`).
 */
function serverText(e: PrimeHubError): string {
  const first = e.errors?.[0]?.message;
  if (first) {
    return first;
  }
  const rest = /failed with HTTP \d+(?:: ([\s\S]*))?$/.exec(e.message);
  if (rest) {
    return (rest[1] ?? '').trim();
  }
  return e.message.replace(/^[A-Za-z]+: /, '');
}

function sentence(text: string): string {
  return text.replace(/[\s.]+$/, '');
}

/**
 * The one user-facing text of a failed operation, shared by both editors. `what` names the
 * operation as the user started it ("Submitting the job", "Downloading artifacts").
 *
 * @example
 * describeError('Listing jobs', e).message
 * // "Listing jobs failed: PrimeHub rejected the API token (expired or revoked). Sign in again to continue."
 */
export function describeError(what: string, e: unknown): UserFacingError {
  const raw = e instanceof Error ? e.message : String(e);
  if (isCancel(e)) {
    return { kind: 'cancelled', message: `${what} was cancelled.`, detail: raw };
  }
  if (!isPrimeHubError(e)) {
    return { kind: 'other', message: `${what} failed: ${sentence(raw)}.`, detail: raw };
  }
  const said = sentence(serverText(e));
  switch (e.code) {
    case 'AUTH_FAILED':
      return {
        kind: 'auth',
        message: `${what} failed: PrimeHub rejected the API token (expired or revoked). Sign in again to continue.`,
        detail: raw
      };
    case 'QUOTA_EXCEEDED':
      return {
        kind: 'quota',
        message: `${what} failed: ${said}. Pick a smaller instance type or ask an admin.`,
        detail: raw
      };
    case 'NETWORK_ERROR':
      return { kind: 'network', message: `${what} failed: PrimeHub cannot be reached (${said}).`, detail: raw };
    case 'TIMEOUT':
      return { kind: 'network', message: `${what} failed: PrimeHub did not answer in time.`, detail: raw };
    case 'CLIENT_CLOSED':
      return { kind: 'cancelled', message: `${what} was cancelled.`, detail: raw };
    case 'PERMISSION_DENIED':
      return {
        kind: 'permission',
        message: `${what} failed: you are not allowed to do this in the current group.`,
        detail: raw
      };
    case 'NOT_FOUND':
      return {
        kind: 'notFound',
        message: `${what} failed: it is not on PrimeHub (deleted, or never there)${said && !/^not found$/i.test(said) ? ` — ${said}` : ''}.`,
        detail: raw
      };
    case 'CONFLICT':
      return { kind: 'conflict', message: `${what} failed: ${said || 'it already exists'}.`, detail: raw };
    case 'VALIDATION_FAILED':
      return { kind: 'invalid', message: `${what} failed: ${said}.`, detail: raw };
    case 'FEATURE_UNAVAILABLE':
      return {
        kind: 'unavailable',
        message: `${what} failed: this PrimeHub does not offer it${said ? ` (${said})` : ''}.`,
        detail: raw
      };
    case 'HTTP_ERROR':
      return {
        kind: 'other',
        message: `${what} failed: PrimeHub answered with an error (HTTP ${e.status ?? '?'})${said ? `: ${said}` : ''}.`,
        detail: raw
      };
    default:
      return { kind: 'other', message: `${what} failed: ${said || sentence(raw)}.`, detail: raw };
  }
}
