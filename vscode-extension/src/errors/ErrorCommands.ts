import * as vscode from 'vscode';
import type { Logger } from '../logger/Logger';
import { signalOf } from '../util/abort';
import { describeError, isCancel } from './describeError';

/** Progress callback of {@link ErrorCommands.withProgress}. */
export type ReportProgress = (message: string, increment?: number) => void;

/** Notifications for failures and cancellable progress, shared by the other XCommands. */
export class ErrorCommands {
  /** Shows the one "sign in again" prompt for auth failures (set by the composition root). */
  onAuthFailure?: () => void;

  constructor(
    private readonly log: Logger,
    private readonly showLog: () => void
  ) {}

  /**
   * Shows an actionable notification: "Sign in again" for auth failures, "Retry" (running
   * `retry`) for network failures. A user's cancel is not an error and shows nothing. Returns at
   * once; the notification's buttons act when clicked.
   */
  report(what: string, e: unknown, retry?: () => unknown): void {
    if (isCancel(e)) {
      this.log.info(`${what}: cancelled`);
      return;
    }
    const d = describeError(what, e);
    this.log.error(d.message);
    if (d.actions.includes('signInAgain') && this.onAuthFailure) {
      this.onAuthFailure();
      return;
    }
    const buttons: string[] = [];
    if (d.actions.includes('signInAgain')) {
      buttons.push('Sign in again');
    }
    if (d.actions.includes('retry') && retry) {
      buttons.push('Retry');
    }
    if (d.actions.includes('showLog')) {
      buttons.push('Show Log');
    }
    // not awaited: a command ends while its notification stays up
    const show = d.warning ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(d.message, ...buttons).then(choice => {
      if (choice === 'Sign in again') {
        void vscode.commands.executeCommand('primehub.auth.signIn');
      } else if (choice === 'Retry') {
        void retry?.();
      } else if (choice === 'Show Log') {
        this.showLog();
      }
    });
  }

  /** Runs `task` in a cancellable notification; cancelling aborts the signal passed to the client. */
  withProgress<T>(title: string, task: (signal: AbortSignal, report: ReportProgress) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => task(signalOf(token), (message, increment) => progress.report({ message, increment }))
    );
  }

  /** Runs a command body, reporting its failure (and offering to run it again). */
  async guard(what: string, body: () => PromiseLike<unknown>): Promise<void> {
    try {
      await body();
    } catch (e) {
      this.report(what, e, () => this.guard(what, body));
    }
  }
}
