import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IPrimeHub } from '../tokens';

/** Longest wait between two polls after errors (ms). */
export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * State a view renders, refreshed by one `@lumino/polling` Poll: the interval from the user's
 * settings, backoff after errors (up to 5 minutes), standby while no view shows it (`active`
 * false) or the browser tab is hidden. Subclasses fetch; views listen to `changed` and render.
 */
export abstract class PolledModel implements IDisposable {
  readonly poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private _active = true;
  private _error = '';
  private _disposed = false;
  private _signedIn: boolean;

  /**
   * @param hub - the session whose client and settings the model uses.
   * @param name - the poll's name (for debugging).
   * @param intervalFactor - times the settings' poll interval (recurring jobs change less often).
   */
  constructor(
    protected readonly hub: IPrimeHub,
    name: string,
    private readonly intervalFactor = 1
  ) {
    this.poll = new Poll({
      name: `primehub-suite:${name}`,
      auto: false,
      factory: () => this.tick(),
      frequency: { interval: this.intervalMs(), backoff: true, max: MAX_BACKOFF_MS },
      standby: () => this.standby() || 'when-hidden'
    });
    this._signedIn = hub.signedIn;
    hub.changed.connect(this.onSettings, this);
  }

  /** Emitted whenever what a view shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The user-facing text of the last failed poll or action ('' when the last one worked). */
  get error(): string {
    return this._error;
  }

  /** Whether a view shows the model; an inactive one does not poll. Turning active refreshes at once. */
  get active(): boolean {
    return this._active;
  }

  set active(value: boolean) {
    if (value === this._active) {
      return;
    }
    this._active = value;
    if (value) {
      void this.poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Starts polling (the first poll right away). */
  start(): void {
    void this.poll.start();
  }

  /** Polls now and resolves once that poll has run. */
  async refresh(): Promise<void> {
    await this.poll.refresh();
    await this.poll.tick;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.hub.changed.disconnect(this.onSettings, this);
    this.poll.dispose();
    Signal.clearData(this);
  }

  /** One fetch; rejecting makes the poll back off. */
  protected abstract fetch(): Promise<void>;

  /** When true the poll waits without fetching (beyond being inactive). */
  protected standby(): boolean {
    return !this._active || !this.hub.signedIn;
  }

  protected emitChanged(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** Sets the error text of a failed call (what: "Listing jobs") and tells the view. */
  protected fail(what: string, err: unknown): void {
    this._error = this.hub.describe(what, err);
    this.emitChanged();
  }

  /** Runs a user action; its failure is shown like a poll's, and the state is polled again after. */
  protected async act<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await action();
      this._error = '';
      return result;
    } catch (err) {
      this.fail(what, err);
      return undefined;
    } finally {
      void this.poll.refresh();
    }
  }

  private async tick(): Promise<void> {
    try {
      await this.fetch();
      if (this._error) {
        this._error = '';
        this.emitChanged();
      }
    } catch (err) {
      this.fail(this.what(), err);
      throw err;
    }
  }

  /** What a failed fetch is called in its message ("Listing jobs"). */
  protected abstract what(): string;

  private intervalMs(): number {
    return Math.max(1, this.hub.settings.pollIntervalSeconds) * 1000 * this.intervalFactor;
  }

  private onSettings(): void {
    // Signed in (again): poll now rather than at the next tick.
    if (this.hub.signedIn !== this._signedIn) {
      this._signedIn = this.hub.signedIn;
      if (this._signedIn && this._active) {
        void this.poll.refresh();
      }
    }
    const interval = this.intervalMs();
    if (this.poll.frequency.interval !== interval) {
      this.poll.frequency = { ...this.poll.frequency, interval };
    }
  }
}
