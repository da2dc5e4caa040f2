/**
 * Errors PrimeHub Local reports. GraphQL errors carry PrimeHub's `extensions.code`;
 * REST errors carry an HTTP status and the `{code, message}` body of the real server.
 */

/**
 * The error codes PrimeHub's API server answers with: its own (`src/errorCodes.ts`) and Apollo's.
 * There are no `FORBIDDEN`, `NOT_FOUND` or `UNAUTHENTICATED` codes on PrimeHub.
 */
export const ErrorCode = {
  /** PrimeHub's default code: REST errors without a code of their own (e.g. a 403 "request not authorized"). */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  REQUEST_BODY_INVALID: 'REQUEST_BODY_INVALID',
  EXCEED_QUOTA: 'EXCEED_QUOTA',
  NOT_AUTH: 'NOT_AUTH',
  RESOURCE_NOT_FOUND: 'RESOURCE_NOT_FOUND',
  RESOURCE_CONFLICT: 'RESOURCE_CONFLICT',
  /** A group without MLflow settings, or settings without a tracking URI (the models resolvers). */
  MLFLOW_SETTING_NOT_FOUND: 'MLFLOW_SETTING_NOT_FOUND',
  TRACKING_URI_NOT_FOUND: 'TRACKING_URI_NOT_FOUND',
  /** An env var name that is not a shell identifier (MLflow settings). */
  ILLEGAL_ENV_NAME: 'ILLEGAL_ENV_NAME',
  /** Apollo's code for a failed context (bad token) and graphql-shield's "Not Authorised!". */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED'
} as const;

/**
 * PrimeHub's codes, or MLflow's own `error_code` (`RESOURCE_DOES_NOT_EXIST`, …), which the models
 * resolvers pass through as PrimeHub's do.
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | (string & { readonly mlflow?: never });

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly status = 400
  ) {
    super(message);
  }
}

/** The caller is not a member of the object's group (PrimeHub's `NOT_AUTH`). */
export const notAuth = (): ApiError => new ApiError('user not auth', ErrorCode.NOT_AUTH, 403);

/** graphql-shield's refusal of a field the caller's role may not read. */
export const notAuthorised = (): ApiError => new ApiError('Not Authorised!', ErrorCode.INTERNAL_SERVER_ERROR, 403);

/** A REST request refused before it reaches a resource (Boom's `forbidden`, which carries no code of its own). */
export const forbidden = (message: string): ApiError => new ApiError(message, ErrorCode.INTERNAL_ERROR, 403);

/** A by-id lookup of a custom resource that does not exist, in the Kubernetes message form. */
export const notFound = (kind: 'phjobs' | 'phschedules' | 'phdeployments', id: string): ApiError =>
  new ApiError(`${kind}.primehub.io "${id}" not found`, ErrorCode.RESOURCE_NOT_FOUND, 404);

/** A missing route or object; PHFS answers a missing object with an empty message (an empty 404). */
export const missing = (message = ''): ApiError => new ApiError(message, ErrorCode.RESOURCE_NOT_FOUND, 404);

/** Bad input: 400 by default; 405 for a wrong method, 413 for a body over a limit. */
export const invalidInput = (message: string, status = 400): ApiError =>
  new ApiError(message, ErrorCode.REQUEST_BODY_INVALID, status);

/** The request collides with what is there (a file where a folder is needed, a concurrent upload). */
export const conflict = (message: string): ApiError => new ApiError(message, ErrorCode.RESOURCE_CONFLICT, 409);

export const exceedQuota = (message: string): ApiError => new ApiError(message, ErrorCode.EXCEED_QUOTA, 403);

/** A group without MLflow settings (PrimeHub's models resolvers). */
export const mlflowSettingNotFound = (group: string): ApiError =>
  new ApiError(`group ${group} has no MLflow settings`, ErrorCode.MLFLOW_SETTING_NOT_FOUND);

/** MLflow settings without a tracking URI. */
export const trackingUriNotFound = (group: string): ApiError =>
  new ApiError(`group ${group} has no MLflow tracking URI`, ErrorCode.TRACKING_URI_NOT_FOUND);

/** An env var name of MLflow settings that is not a shell identifier. */
export const illegalEnvName = (message: string): ApiError => new ApiError(message, ErrorCode.ILLEGAL_ENV_NAME);

/**
 * MLflow's answer passed through as PrimeHub does: its own `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`)
 * and message; `INTERNAL_ERROR` when it is down, slow or answers something else.
 */
export const mlflowError = (message: string, code: string = ErrorCode.INTERNAL_ERROR, status = 400): ApiError =>
  new ApiError(message, code, status);
