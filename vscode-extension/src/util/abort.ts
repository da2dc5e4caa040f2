import type { Disposable } from './Emitter';

/** What `vscode.CancellationToken` offers, without importing `vscode`. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): Disposable;
}

/** An AbortSignal that aborts when the token is cancelled (the client takes signals, VS Code gives tokens). */
export function signalOf(token: CancellationLike | undefined): AbortSignal {
  const ac = new AbortController();
  if (token) {
    if (token.isCancellationRequested) {
      ac.abort();
    } else {
      token.onCancellationRequested(() => ac.abort());
    }
  }
  return ac.signal;
}
