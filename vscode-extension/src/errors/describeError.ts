import { describeError as describeClientError } from '@primehub-suite/client';

export { isCancel } from '@primehub-suite/client';

/** What a notification offers for an error. */
export type ErrorAction = 'signInAgain' | 'retry' | 'showLog';

/** A notification for a failed operation: the client's sentence and the buttons that help. */
export interface ErrorDescription {
  message: string;
  actions: ErrorAction[];
  /** Shown as a warning rather than an error (the user can fix the input). */
  warning?: boolean;
}

/**
 * The notification for an error of `what` (e.g. "Submitting the job"): the client's one
 * user-facing text (shared with JupyterLab), with "Sign in again" for a refused token, "Retry"
 * when PrimeHub cannot be reached, and the log for failures worth reporting.
 */
export function describeError(what: string, e: unknown): ErrorDescription {
  const d = describeClientError(what, e);
  switch (d.kind) {
    case 'auth':
      return { message: d.message, actions: ['signInAgain'] };
    case 'network':
      return { message: d.message, actions: ['retry', 'showLog'] };
    case 'invalid':
      return { message: d.message, actions: [], warning: true };
    case 'quota':
    case 'permission':
    case 'notFound':
    case 'conflict':
    case 'unavailable':
    case 'cancelled':
      return { message: d.message, actions: [] };
    default:
      return { message: d.message, actions: ['showLog'] };
  }
}
