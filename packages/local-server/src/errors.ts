/**
 * Errors PrimeHub Local reports. GraphQL errors carry PrimeHub's `extensions.code`;
 * REST errors carry an HTTP status and the `{code, message}` body of the real server.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400
  ) {
    super(message);
  }
}

/** The caller is not a member of the object's group (PrimeHub's `NOT_AUTH`). */
export const notAuth = (): ApiError => new ApiError('user not auth', 'NOT_AUTH', 403);

/** graphql-shield's refusal of a field the caller's role may not read. */
export const notAuthorised = (): ApiError => new ApiError('Not Authorised!', 'INTERNAL_SERVER_ERROR', 403);

/** A by-id lookup of a custom resource that does not exist, in the Kubernetes message form. */
export const notFound = (kind: string, id: string): ApiError =>
  new ApiError(`${kind}.primehub.io "${id}" not found`, 'RESOURCE_NOT_FOUND', 404);

export const invalidInput = (message: string): ApiError => new ApiError(message, 'REQUEST_BODY_INVALID', 400);

export const exceedQuota = (message: string): ApiError => new ApiError(message, 'EXCEED_QUOTA', 403);
