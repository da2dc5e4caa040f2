import {
  AuthError,
  ConflictError,
  FeatureUnavailableError,
  GraphqlError,
  GraphqlErrorEntry,
  HttpError,
  NotFoundError,
  PermissionError,
  PrimeHubError,
  PrimeHubErrorDetails,
  QuotaError,
  RequestInfo,
  ValidationError
} from './errors';
import type { Operation } from './operations/defineOperation';
import { redact } from './redact';

type ErrorClass = new (message: string, details?: PrimeHubErrorDetails) => PrimeHubError;

/** Older servers forwarded the K8s message; the SDK detects not-found with these. */
const K8S_NOT_FOUND = /(?:phjobs|phschedules|phdeployments|phapplications)\.primehub\.io "([^"]+)" not found/;

/** MLflow's own code for a missing model, version, run or experiment, which the models fields pass through. */
const MLFLOW_NOT_FOUND = 'RESOURCE_DOES_NOT_EXIST';

/** Picks the error class for one GraphQL error entry (primehub-api.md §2). */
export function classifyGraphqlError(
  entry: GraphqlErrorEntry,
  op: Pick<Operation, 'byId'>,
  status: number
): ErrorClass {
  const code = entry.extensions?.code;
  const msg = entry.message ?? '';
  if (
    msg.startsWith('Context creation failed:') ||
    code === 'REFRESH_TOKEN_EXPIRED' ||
    code === 'ACCESS_TOKEN_EXPIRED'
  ) {
    return AuthError;
  }
  // Every operation validates against the full CE+EE schema, so a server-side validation
  // failure means this server lacks the feature (an EE field on CE).
  // a group without MLflow: the models feature is not there for it
  if (
    code === 'GRAPHQL_VALIDATION_FAILED' ||
    code === 'LICENSE_ERROR' ||
    code === 'MLFLOW_SETTING_NOT_FOUND' ||
    code === 'TRACKING_URI_NOT_FOUND'
  ) {
    return FeatureUnavailableError;
  }
  if (
    code === 'RESOURCE_NOT_FOUND' ||
    code === MLFLOW_NOT_FOUND ||
    K8S_NOT_FOUND.test(msg) ||
    (op.byId && msg === 'HTTP request failed')
  ) {
    return NotFoundError;
  }
  if (code === 'EXCEED_QUOTA') {
    return QuotaError;
  }
  if (code === 'NOT_AUTH' || code === 'PERMISSION_DENIED' || msg === 'Not Authorised!') {
    return PermissionError;
  }
  if (
    code === 'RESOURCE_CONFLICT' ||
    code === 'GROUP_CONFLICT_NAME' ||
    code === 'PVC_CONFLICT' ||
    code === 'RESOURCE_ALREADY_EXISTS'
  ) {
    return ConflictError;
  }
  if (
    code === 'GRAPHQL_PARSE_FAILED' ||
    code === 'BAD_USER_INPUT' ||
    code === 'REQUEST_BODY_INVALID' ||
    code === 'ILLEGAL_ENV_NAME' ||
    code === 'INVALID_PARAMETER_VALUE' ||
    (status >= 400 && status < 500)
  ) {
    return ValidationError;
  }
  if (status >= 500) {
    return HttpError;
  }
  return GraphqlError;
}

/** Builds the error for a GraphQL response that carried `errors` (any HTTP status). */
export function graphqlResponseError(
  status: number,
  errors: GraphqlErrorEntry[],
  data: unknown,
  op: Pick<Operation, 'byId' | 'name'>,
  request: RequestInfo,
  secrets: string[],
  headers?: Record<string, string>
): PrimeHubError {
  const first = errors[0] ?? { message: 'unknown GraphQL error' };
  const Cls = classifyGraphqlError(first, op, status);
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
  const message = redact(`${op.name}: ${first.message}${more}`, secrets);
  const safeErrors = errors.map(e => ({ ...e, message: redact(String(e.message), secrets) }));
  return new Cls(message, {
    status,
    serverCode: first.extensions?.code,
    errors: safeErrors,
    data: data ?? undefined,
    request,
    headers
  });
}

/** Maps a non-2xx REST response (`{code, message}` bodies, or empty/HTML) to an error. */
export function restResponseError(
  status: number,
  bodyText: string,
  request: RequestInfo,
  secrets: string[],
  headers?: Record<string, string>
): PrimeHubError {
  let serverCode: string | undefined;
  let serverMessage: string | undefined;
  try {
    const json = JSON.parse(bodyText) as { code?: unknown; message?: unknown };
    if (typeof json.code === 'string') {
      serverCode = json.code;
    }
    if (typeof json.message === 'string') {
      serverMessage = json.message;
    }
  } catch {
    // not JSON: empty 404 bodies, proxy HTML pages
  }
  let Cls: ErrorClass = HttpError;
  if (status === 403 && serverCode === 'NOT_AUTH') {
    // PrimeHub's "user not auth": the token is good, the object is another group's (as in GraphQL)
    Cls = PermissionError;
  } else if (status === 401 || status === 403) {
    Cls = AuthError;
  } else if (status === 404) {
    Cls = NotFoundError;
  } else if (status === 409) {
    Cls = ConflictError;
  } else if (status === 400 || status === 422) {
    Cls = ValidationError;
  }
  const text =
    serverMessage ?? (bodyText && bodyText.length <= 200 && !bodyText.startsWith('<') ? bodyText.trim() : '');
  const message = redact(
    `${request.method} ${request.url} failed with HTTP ${status}${text ? `: ${text}` : ''}`,
    secrets
  );
  return new Cls(message, { status, serverCode, request, headers });
}
