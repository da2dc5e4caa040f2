/**
 * One error hierarchy for everything the client throws (except a caller's own abort, which is
 * rethrown untouched). Every class carries a stable `code` so UI layers can switch on it without
 * `instanceof` (which breaks across bundled copies of this package).
 */

/** Stable error codes. */
export type PrimeHubErrorCode =
  | 'PRIMEHUB_ERROR'
  | 'HTTP_ERROR'
  | 'GRAPHQL_ERROR'
  | 'AUTH_FAILED'
  | 'NOT_FOUND'
  | 'QUOTA_EXCEEDED'
  | 'PERMISSION_DENIED'
  | 'FEATURE_UNAVAILABLE'
  | 'VALIDATION_FAILED'
  | 'CONFLICT'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'CLIENT_CLOSED'
  | 'PARTIAL_SUBMISSION';

/** One GraphQL error as PrimeHub renders it: `{message, extensions: {code}}`. */
export interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
  path?: ReadonlyArray<string | number>;
}

/** What was sent, with credentials already redacted. */
export interface RequestInfo {
  method: string;
  url: string;
  /** GraphQL operation name, when the request was a GraphQL call. */
  operationName?: string;
}

/** Extra details every PrimeHubError may carry. */
export interface PrimeHubErrorDetails {
  cause?: unknown;
  /** HTTP status; 0 for network failures and timeouts. */
  status?: number;
  /** The server's own code (`extensions.code` or the REST body's `code`). */
  serverCode?: string;
  /** GraphQL errors as returned by the server. */
  errors?: GraphqlErrorEntry[];
  /** Partial GraphQL `data` returned alongside the errors. */
  data?: unknown;
  request?: RequestInfo;
  /** Response headers (lower-case names; `set-cookie` is left out). */
  headers?: Record<string, string>;
}

/** Base class of every error thrown by the client. */
export class PrimeHubError extends Error {
  override name = 'PrimeHubError';
  /** Stable code for programmatic handling. */
  readonly code: PrimeHubErrorCode = 'PRIMEHUB_ERROR';
  readonly status?: number;
  readonly serverCode?: string;
  readonly errors?: GraphqlErrorEntry[];
  /** Partial data of a GraphQL response that also carried errors. */
  readonly data?: unknown;
  readonly request?: RequestInfo;
  /** Headers of the HTTP response, when there was one (e.g. `retry-after`). */
  readonly headers?: Record<string, string>;

  constructor(message: string, details: PrimeHubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.serverCode = details.serverCode;
    this.errors = details.errors;
    this.data = details.data;
    this.request = details.request;
    if (details.headers) {
      const kept = { ...details.headers };
      delete kept['set-cookie'];
      this.headers = kept;
    }
  }
}

/** Non-2xx HTTP response that maps to no more specific class (e.g. 502 from a proxy). */
export class HttpError extends PrimeHubError {
  override name = 'HttpError';
  override readonly code = 'HTTP_ERROR' as const;
}

/** GraphQL errors that map to no more specific class; keeps `errors` and partial `data`. */
export class GraphqlError extends PrimeHubError {
  override name = 'GraphqlError';
  override readonly code = 'GRAPHQL_ERROR' as const;
}

/** Missing, invalid, expired or revoked token (`Context creation failed: …`, REST 401/403). */
export class AuthError extends PrimeHubError {
  override name = 'AuthError';
  override readonly code = 'AUTH_FAILED' as const;
}

/** The job, schedule, deployment, file, group or model does not exist. */
export class NotFoundError extends PrimeHubError {
  override name = 'NotFoundError';
  override readonly code = 'NOT_FOUND' as const;
}

/** A user or group quota (or the license's deployment limit) would be exceeded. */
export class QuotaError extends PrimeHubError {
  override name = 'QuotaError';
  override readonly code = 'QUOTA_EXCEEDED' as const;
}

/** Authenticated, but not allowed (`NOT_AUTH`, graphql-shield's `Not Authorised!`). */
export class PermissionError extends PrimeHubError {
  override name = 'PermissionError';
  override readonly code = 'PERMISSION_DENIED' as const;
}

/** The server does not have this feature (an EE field on a CE server). */
export class FeatureUnavailableError extends PrimeHubError {
  override name = 'FeatureUnavailableError';
  override readonly code = 'FEATURE_UNAVAILABLE' as const;
}

/** Bad input: rejected by the server (400) or caught client-side before sending. */
export class ValidationError extends PrimeHubError {
  override name = 'ValidationError';
  override readonly code = 'VALIDATION_FAILED' as const;
}

/** The resource already exists or changed concurrently (`RESOURCE_CONFLICT`). */
export class ConflictError extends PrimeHubError {
  override name = 'ConflictError';
  override readonly code = 'CONFLICT' as const;
}

/** The request never got an HTTP response (DNS, refused, reset, TLS…). */
export class NetworkError extends PrimeHubError {
  override name = 'NetworkError';
  override readonly code = 'NETWORK_ERROR' as const;
}

/** One of the client's own timeouts fired (never used for a caller's abort). */
export class TimeoutError extends PrimeHubError {
  override name = 'TimeoutError';
  override readonly code = 'TIMEOUT' as const;
}

/** The client was closed while the call was running, or before it started. */
export class ClientClosedError extends PrimeHubError {
  override name = 'ClientClosedError';
  override readonly code = 'CLIENT_CLOSED' as const;
}

/**
 * Some jobs of a batch (a sweep) were created before one failed: `submitted` lists them so none
 * is left unknown to the user; `cause` is the failure.
 */
export class PartialSubmissionError<T = unknown> extends PrimeHubError {
  override name = 'PartialSubmissionError';
  override readonly code = 'PARTIAL_SUBMISSION' as const;

  constructor(
    message: string,
    /** What was created before the failure, in order. */
    readonly submitted: T[],
    /** How many were planned in all. */
    readonly planned: number,
    details: PrimeHubErrorDetails = {}
  ) {
    super(message, details);
  }
}

/** True for an abort (DOMException or undici's RequestAbortedError), by name as advised by undici. */
export function isAbortError(e: unknown): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    ((e as { name?: unknown }).name === 'AbortError' || (e as { code?: unknown }).code === 'UND_ERR_ABORTED')
  );
}

/** True for any error thrown by this client, matched by shape so it works across copies. */
export function isPrimeHubError(e: unknown): e is PrimeHubError {
  return (
    e instanceof PrimeHubError ||
    (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'serverCode' in e)
  );
}
