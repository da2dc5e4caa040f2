/** A listener registration that can be undone (structurally a `vscode.Disposable`). */
export interface Disposable {
  dispose(): void;
}

/** The subscribe function of an {@link Emitter} (structurally a `vscode.Event<T>`). */
export type Event<T> = (listener: (e: T) => void) => Disposable;

/**
 * A minimal event emitter so models and managers stay free of the `vscode` module (and testable
 * under jest); the UI layer subscribes to `event` exactly as to a `vscode.EventEmitter`.
 */
export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = listener => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
