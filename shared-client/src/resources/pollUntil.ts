import { TimeoutError } from '../errors';
import { sleep } from '../retry';

/** How {@link pollUntil} polls. */
export interface PollOptions<T> {
  /** Reads the current state. */
  read: (signal: AbortSignal | undefined) => Promise<T>;
  /** A label of the state, reported through `onChange` whenever it changes (first read included). */
  label: (state: T) => string;
  /** True when polling is over. */
  done: (state: T) => boolean;
  onChange?: (label: string) => void;
  intervalMs: number;
  /**
   * Settles when the state has probably changed (e.g. the job's followed log ended): the read due
   * next happens at once instead of after the rest of the interval. Used once.
   */
  wake?: Promise<unknown>;
  /** Give up after this long (ms) with a TimeoutError; 0 or undefined waits forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** What is awaited, for the timeout message (e.g. `job job-1`). */
  what: string;
}

/**
 * Polls `read` until `done`, reporting each change of `label`. Throws TimeoutError after
 * `timeoutMs`; an abort rethrows the signal's reason. The one wait loop of jobs and deployments.
 */
export async function pollUntil<T>(o: PollOptions<T>): Promise<T> {
  const deadline = o.timeoutMs ? Date.now() + o.timeoutMs : Infinity;
  let last: string | undefined;
  // aborted when `wake` settles: cuts the nap then in progress short
  const woken = new AbortController();
  o.wake?.then(
    () => woken.abort(),
    () => woken.abort()
  );
  for (;;) {
    const state = await o.read(o.signal);
    const label = o.label(state);
    if (label !== last) {
      last = label;
      o.onChange?.(label);
    }
    if (o.done(state)) {
      return state;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new TimeoutError(`${o.what} is still ${label} after ${o.timeoutMs} ms`, { status: 0 });
    }
    if (!o.wake || woken.signal.aborted) {
      await sleep(Math.min(o.intervalMs, left), o.signal);
      continue;
    }
    try {
      await sleep(Math.min(o.intervalMs, left), o.signal ? AbortSignal.any([o.signal, woken.signal]) : woken.signal);
    } catch (e) {
      if (o.signal?.aborted || !woken.signal.aborted) {
        throw e;
      }
    }
  }
}
