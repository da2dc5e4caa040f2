import {
  AuthError,
  isAbortError,
  NetworkError,
  PermissionError,
  QuotaError,
  TimeoutError,
  ValidationError
} from '@primehub-suite/client';

/** What a notification offers for an error. */
export type ErrorAction = 'signInAgain' | 'retry' | 'showLog';

/** A notification for a failed operation: a sentence for the user and the buttons that help. */
export interface ErrorDescription {
  message: string;
  actions: ErrorAction[];
  /** Shown as a warning rather than an error (the user can fix the input). */
  warning?: boolean;
}

/** True for a user's cancel (never shown as an error). */
export function isCancel(e: unknown): boolean {
  return isAbortError(e) || (e instanceof Error && e.name === 'Canceled');
}

/**
 * The notification for an error of `what` (e.g. "Submitting the job"): auth failures offer
 * "Sign in again", network failures "Retry", quota errors name the quota PrimeHub reported.
 */
export function describeError(what: string, e: unknown): ErrorDescription {
  const detail = e instanceof Error ? e.message : String(e);
  if (e instanceof AuthError) {
    return {
      message: `${what} failed: PrimeHub rejected the API token (expired or revoked). Sign in again to continue.`,
      actions: ['signInAgain']
    };
  }
  if (e instanceof QuotaError) {
    // PrimeHub's messages name the quota ("Group Cpu Quota exceeded"); drop the operation prefix
    const quota = detail.replace(/^[A-Za-z]+: /, '');
    return { message: `${what} failed: ${quota}. Pick a smaller instance type or ask an admin.`, actions: [] };
  }
  if (e instanceof NetworkError || e instanceof TimeoutError) {
    return { message: `${what} failed: PrimeHub cannot be reached (${detail}).`, actions: ['retry', 'showLog'] };
  }
  if (e instanceof PermissionError) {
    return { message: `${what} failed: you are not allowed to do this in the current group.`, actions: [] };
  }
  if (e instanceof ValidationError) {
    return { message: `${what} failed: ${detail}`, actions: [], warning: true };
  }
  return { message: `${what} failed: ${detail}`, actions: ['showLog'] };
}
