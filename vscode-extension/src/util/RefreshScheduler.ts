import type { Disposable } from './Emitter';

/** Options of a {@link RefreshScheduler}. */
export interface RefreshSchedulerOptions {
  /** Interval between successful refreshes (ms). */
  intervalMs: () => number;
  /** Longest wait after repeated errors (ms). */
  maxBackoffMs?: number;
  /** Timer functions (tests pass fakes). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Runs `refresh` periodically only while something is visible, doubling the delay after each
 * failure (up to `maxBackoffMs`) and returning to the normal interval after a success.
 */
export class RefreshScheduler implements Disposable {
  private visible = false;
  private timer: unknown;
  private running?: Promise<void>;
  private failures = 0;
  private disposed = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly opts: RefreshSchedulerOptions
  ) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? (h => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** The delay before the next refresh, given the failures so far. */
  get nextDelayMs(): number {
    const base = this.opts.intervalMs();
    if (this.failures === 0) {
      return base;
    }
    return Math.min(base * 2 ** this.failures, this.opts.maxBackoffMs ?? 300_000);
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Starts refreshing (at once) when shown; stops when hidden. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) {
      return;
    }
    this.visible = visible;
    if (visible) {
      void this.now();
    } else {
      this.cancelTimer();
    }
  }

  /** Refreshes now (joining a refresh in flight) and reschedules. */
  now(): Promise<void> {
    if (this.running) {
      return this.running;
    }
    this.cancelTimer();
    this.running = (async () => {
      try {
        await this.refresh();
        this.failures = 0;
      } catch {
        this.failures++;
      } finally {
        this.running = undefined;
        this.schedule();
      }
    })();
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private schedule(): void {
    if (this.visible && !this.disposed) {
      this.timer = this.setTimer(() => void this.now(), this.nextDelayMs);
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
  }
}
