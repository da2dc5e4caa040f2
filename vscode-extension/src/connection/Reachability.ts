import { NetworkError, TimeoutError } from '@primehub-suite/client';
import { Emitter, type Disposable } from '../util/Emitter';
import { RefreshScheduler } from '../util/RefreshScheduler';

/** What PrimeHub's health endpoint said. */
export interface HealthAnswer {
  /** PrimeHub Local answered (its `/api/health` reports `status: ok` and how it runs jobs). */
  isLocal: boolean;
}

/** Options of a {@link Reachability}. */
export interface ReachabilityOptions {
  /** Time between health checks while PrimeHub cannot be reached (ms). */
  intervalMs: number;
  /** Longest wait between health checks after repeated failures (ms). */
  maxBackoffMs: number;
  /** Timer functions (tests pass fakes). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => Date;
}

/** True for a failure that means PrimeHub cannot be reached (no HTTP answer, or none in time). */
export function isUnreachable(e: unknown): boolean {
  return e instanceof NetworkError || e instanceof TimeoutError;
}

/**
 * Whether PrimeHub answers. A request that finds no server turns it offline; while offline the
 * health endpoint is checked on one RefreshScheduler (short interval, bounded backoff), and the
 * first answer turns it online again, which is when the views refresh.
 */
export class Reachability implements Disposable {
  private readonly _onDidChange = new Emitter<boolean>();
  /** Fires `true` when PrimeHub answers again, `false` when it stopped answering. */
  readonly onDidChange = this._onDidChange.event;
  private _online = true;
  private _offlineSince?: Date;
  private readonly checks: RefreshScheduler;

  constructor(
    private readonly probe: () => Promise<HealthAnswer>,
    private readonly opts: ReachabilityOptions
  ) {
    this.checks = new RefreshScheduler(() => this.check(), {
      intervalMs: () => opts.intervalMs,
      maxBackoffMs: opts.maxBackoffMs,
      setTimer: opts.setTimer,
      clearTimer: opts.clearTimer
    });
  }

  get online(): boolean {
    return this._online;
  }

  /** When PrimeHub stopped answering (undefined while online). */
  get offlineSince(): Date | undefined {
    return this._offlineSince;
  }

  /** Looks at a failed request: one that found no server turns the connection offline. */
  noteError(e: unknown): void {
    if (this._online && isUnreachable(e)) {
      this._online = false;
      this._offlineSince = (this.opts.now ?? (() => new Date()))();
      this._onDidChange.fire(false);
      // checks start after one interval: the request just failed
      this.checks.setVisible(true);
    }
  }

  /** Checks the health endpoint now (e.g. at sign-in); resolves with its answer, undefined when none. */
  async checkNow(): Promise<HealthAnswer | undefined> {
    try {
      const answer = await this.probe();
      this.setOnline();
      return answer;
    } catch (e) {
      this.noteError(e);
      return undefined;
    }
  }

  /** Forgets an outage (another profile or a sign-out). */
  reset(): void {
    this.checks.setVisible(false);
    if (!this._online) {
      this._online = true;
      this._offlineSince = undefined;
      this._onDidChange.fire(true);
    }
  }

  dispose(): void {
    this.checks.dispose();
  }

  /** One health check while offline: throws (the scheduler backs off) until PrimeHub answers. */
  private async check(): Promise<void> {
    if (this._online) {
      return;
    }
    await this.probe();
    this.setOnline();
  }

  private setOnline(): void {
    if (!this._online) {
      this._online = true;
      this._offlineSince = undefined;
      this.checks.setVisible(false);
      this._onDidChange.fire(true);
    }
  }
}
