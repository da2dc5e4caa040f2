/** Node's timers hold at most 2^31 - 1 ms (about 24.9 days); a longer delay fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that may be longer than Node allows: stop it with {@link LongTimer.clear}. */
export interface LongTimer {
  clear(): void;
}

/**
 * Calls `fn` once after `ms` milliseconds of any size, by chaining timers of at most
 * {@link MAX_TIMER_MS} (a single longer `setTimeout` would fire at once with TimeoutOverflowWarning).
 */
export function setLongTimeout(fn: () => void, ms: number, now: () => number = Date.now): LongTimer {
  const due = now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = due - now();
    if (left <= 0) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}

/** A job's deadline in seconds: its own, else its group's job timeout, else the controller's default. */
export function deadlineSeconds(
  jobSeconds: number | null,
  groupSeconds: number | null,
  defaultSeconds: number
): number {
  return jobSeconds ?? groupSeconds ?? defaultSeconds;
}
