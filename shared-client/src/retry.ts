import { AuthError, HttpError, isAbortError, NetworkError, PrimeHubError, TimeoutError } from './errors';
import type { Logger } from './logger';

/** Retry policy for idempotent reads (GraphQL queries, REST GETs). */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3; 0 disables. */
  retries?: number;
  /** First backoff delay (ms). Default 250; doubles each retry. */
  baseDelayMs?: number;
  /** Cap for one delay (ms). Default 8 000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` (429/503) the client waits for (ms). Default 60 000; a longer one is
   * not retried, and the error (with its `headers`) goes to the caller.
   */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1) for jitter; injectable for tests. */
  random?: () => number;
}

/** A fully resolved retry policy. */
export type RetryPolicy = Required<RetryOptions>;

/** Builds a policy from options; `false` disables retries. */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) {
    return { retries: 0, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0, random: Math.random };
  }
  return {
    retries: options?.retries ?? 3,
    baseDelayMs: options?.baseDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 8_000,
    maxRetryAfterMs: options?.maxRetryAfterMs ?? 60_000,
    random: options?.random ?? Math.random
  };
}

/**
 * Whether an error is worth another attempt of an idempotent read: network failures, our own
 * timeouts, 429 and 5xx. Never aborts, never other 4xx, never auth failures (PrimeHub reports
 * bad tokens as HTTP 500 "Context creation failed", which retrying cannot fix).
 */
export function isRetryable(err: unknown): boolean {
  if (isAbortError(err) || err instanceof AuthError) {
    return false;
  }
  if (err instanceof NetworkError || err instanceof TimeoutError) {
    return true;
  }
  if (err instanceof HttpError && err.status !== undefined) {
    return err.status === 429 || err.status >= 500;
  }
  return false;
}

/**
 * Delay before retry number `attempt` (0-based): exponential with "equal jitter", i.e.
 * uniformly in [d/2, d) where d = min(max, base * 2^attempt), so delays grow yet never align.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(d / 2 + (policy.random() * d) / 2);
}

/**
 * The wait a response's `Retry-After` header asks for (ms): delay-seconds or an HTTP date.
 * Undefined when the error has no such header or it cannot be read.
 */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const value = err instanceof PrimeHubError ? err.headers?.['retry-after'] : undefined;
  if (value === undefined) {
    return undefined;
  }
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    return Number(v) * 1000;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Sleeps `ms`, rejecting with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Context of one retried call. */
export interface RetryContext {
  /** Only idempotent calls are retried. */
  idempotent: boolean;
  policy: RetryPolicy;
  signal?: AbortSignal;
  logger?: Logger;
  /** Short description for log lines (never contains credentials). */
  what: string;
}

/** Runs `fn`, retrying idempotent calls on retryable errors with backoff. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (ctx.signal?.aborted) {
        throw ctx.signal.reason;
      }
      if (!ctx.idempotent || attempt >= ctx.policy.retries || !isRetryable(err)) {
        throw err;
      }
      const asked = retryAfterMs(err);
      if (asked !== undefined && asked > ctx.policy.maxRetryAfterMs) {
        throw err;
      }
      const delay = Math.max(backoffDelay(attempt, ctx.policy), asked ?? 0);
      ctx.logger?.debug(`retrying ${ctx.what} in ${delay} ms`, {
        attempt: attempt + 1,
        error: err instanceof Error ? err.message : String(err)
      });
      await sleep(delay, ctx.signal);
    }
  }
}
