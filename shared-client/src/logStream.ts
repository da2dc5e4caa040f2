/**
 * Log streaming as an async iterator of lines, with reconnect for `follow`.
 *
 * PrimeHub serves a log as raw text (`GET <logEndpoint>?follow=&tailLines=`) and ends the response
 * when the job ends. A connection can also drop mid-stream. To resume without repeating or
 * losing lines, the iterator tracks what it already yielded:
 *
 * - **Exact mode** (no `tail`: the whole log was requested): line N of the response is line N of
 *   the log, so the iterator counts complete lines yielded, reconnects asking for the whole log
 *   again and skips exactly that many lines. Correct for any content, at the cost of re-reading.
 * - **Tail mode** (`tail` given: the absolute position is unknown): the iterator keeps the last
 *   `overlapLines` lines yielded, reconnects with `tailLines = kept + reconnectSlack`, and skips the
 *   response up to the first place where all kept lines match in order. If no full match appears
 *   within that window (more than `reconnectSlack` lines were written while disconnected), it skips
 *   the longest prefix that matches the end of the kept lines. Logs whose last `overlapLines` lines
 *   are one pattern repeated cannot be aligned by content; use exact mode for those.
 *
 * Only complete lines are yielded while following; a partial last line is kept back until its
 * newline arrives, or yielded when the response ends normally.
 */
import { ClientClosedError, HttpError, isAbortError, NetworkError, TimeoutError } from './errors';
import type { Logger } from './logger';
import type { Requester } from './Requester';
import { sleep } from './retry';
import type { CallOptions } from './types';

/** Options of a log stream. */
export interface LogStreamOptions extends CallOptions {
  /** Keep streaming until the job ends (reconnecting on drops). Default false. */
  follow?: boolean;
  /** Only the last N lines (server-side `tailLines`). Default: the whole log. */
  tail?: number;
  /** Lines kept for realignment in tail mode. Default 1000. */
  overlapLines?: number;
  /** Extra lines requested on reconnect in tail mode. Default 1000. */
  reconnectSlack?: number;
  /** Consecutive failed reconnects before giving up. Default 5. */
  maxReconnects?: number;
  /** Pause before a reconnect (ms). Default 1000. */
  reconnectDelayMs?: number;
  /** Idle time without a byte after which a follow connection is considered dead (ms). Default 300 000. */
  idleTimeoutMs?: number;
}

/** Decides whether a follow stream that ended normally should be reopened (e.g. job not terminal). */
export type ReconnectCheck = (signal?: AbortSignal) => Promise<boolean>;

interface Deps {
  requester: Requester;
  logger: Logger;
}

/** Streams lines of a log URL; see the module comment for the reconnect approach. */
export async function* streamLogLines(
  deps: Deps,
  resolveUrl: (signal?: AbortSignal) => Promise<string>,
  opts: LogStreamOptions = {},
  shouldReconnect?: ReconnectCheck
): AsyncGenerator<string, void, undefined> {
  const follow = opts.follow ?? false;
  const exact = opts.tail === undefined;
  const overlap = Math.max(1, opts.overlapLines ?? 1000);
  const slack = Math.max(1, opts.reconnectSlack ?? 1000);
  const maxReconnects = opts.maxReconnects ?? 5;
  const delay = opts.reconnectDelayMs ?? 1000;
  const signal = opts.signal;

  let yielded = 0;
  const kept: string[] = [];
  let failures = 0;
  let firstConnection = true;
  const baseUrl = await resolveUrl(signal);

  for (;;) {
    const url = new URL(baseUrl);
    url.searchParams.set('follow', String(follow));
    let skip = 0;
    let aligner: OverlapAligner | undefined;
    if (firstConnection) {
      if (opts.tail !== undefined) {
        url.searchParams.set('tailLines', String(opts.tail));
      }
    } else if (exact) {
      skip = yielded;
    } else if (kept.length > 0) {
      url.searchParams.set('tailLines', String(kept.length + slack));
      aligner = new OverlapAligner(kept.slice(), kept.length + slack);
    } else {
      url.searchParams.set('tailLines', String(opts.tail));
    }
    firstConnection = false;

    let progressed = false;
    const record = function* (l: string): Generator<string> {
      // Lines already received are not handed out after the caller aborted or the client closed.
      if (signal?.aborted) {
        throw signal.reason;
      }
      if (deps.requester.closed) {
        // closing ends the follow: nothing more is handed out (the aborted request ends the loop)
        return;
      }
      yielded++;
      kept.push(l);
      if (kept.length > overlap) {
        kept.shift();
      }
      progressed = true;
      yield l;
    };
    const emit = function* (line: string): Generator<string> {
      if (skip > 0) {
        skip--;
        return;
      }
      for (const l of aligner ? aligner.push(line) : [line]) {
        yield* record(l);
      }
    };

    let ended: 'normal' | 'notReady' | 'dropped' = 'normal';
    let dropError: unknown;
    // a last line without newline: yielded only once we know the stream is really over
    let pending = '';
    try {
      const res = await deps.requester.stream(
        {
          method: 'GET',
          url: url.toString(),
          // no */*: PrimeHub renders a 403 as HTML when the client accepts HTML
          headers: { accept: 'application/json, text/plain' },
          bodyTimeoutMs: follow ? (opts.idleTimeoutMs ?? 300_000) : undefined
        },
        { signal, timeoutMs: opts.timeoutMs }
      );
      if ((res.headers['content-type'] ?? '').includes('application/json')) {
        // A pod that is not running yet: the K8s Status JSON is piped into a 200.
        const text = await res.text();
        if (isK8sStatus(text)) {
          ended = 'notReady';
        } else {
          pending = text;
        }
      } else {
        const decoder = new TextDecoder();
        for await (const chunk of res.body) {
          pending += decoder.decode(chunk, { stream: true });
          let start = 0;
          let nl: number;
          while ((nl = pending.indexOf('\n', start)) >= 0) {
            const line = pending.slice(start, nl).replace(/\r$/, '');
            start = nl + 1;
            yield* emit(line);
          }
          pending = pending.slice(start);
        }
        pending += decoder.decode();
      }
    } catch (err) {
      if (signal?.aborted || isAbortError(err)) {
        throw signal?.aborted ? signal.reason : err;
      }
      if (err instanceof ClientClosedError) {
        // closing the client ends its follows: the iterator is simply done
        return;
      }
      if (!follow || !isTransient(err)) {
        throw err;
      }
      ended = 'dropped';
      dropError = err;
    }

    if (ended === 'notReady' && !follow) {
      return;
    }
    if (ended === 'normal' || ended === 'notReady') {
      const reconnect = follow && shouldReconnect !== undefined && (await stillActive(shouldReconnect, signal));
      if (!reconnect) {
        for (const line of splitAll(pending)) {
          yield* emit(line);
        }
        if (aligner) {
          for (const l of aligner.flush()) {
            yield* record(l);
          }
        }
        return;
      }
    }
    if (ended === 'dropped') {
      // A job that is not running yet answers 5xx on real PrimeHub: waiting for it is not a failure.
      const serverAnswered = dropError instanceof HttpError;
      const stillRunning =
        serverAnswered && shouldReconnect !== undefined && (await stillActive(shouldReconnect, signal));
      failures = progressed || stillRunning ? 0 : failures + 1;
    } else {
      // the server answered normally (or "not ready yet") and the job is still running
      failures = 0;
    }
    if (failures > maxReconnects) {
      throw dropError;
    }
    deps.logger.debug(`log stream ${ended}; reconnecting`, { yielded, failures });
    try {
      await sleep(delay, withClose(signal, deps.requester.closedSignal));
    } catch (err) {
      if (err instanceof ClientClosedError) {
        return;
      }
      throw err;
    }
  }
}

/** The caller's signal, also aborted when the client closes. */
function withClose(signal: AbortSignal | undefined, closed: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, closed]) : closed;
}

async function stillActive(check: ReconnectCheck, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    return await check(signal);
  } catch {
    if (signal?.aborted) {
      throw signal.reason;
    }
    return false;
  }
}

function isTransient(err: unknown): boolean {
  return (
    err instanceof NetworkError || err instanceof TimeoutError || (err instanceof HttpError && (err.status ?? 0) >= 500)
  );
}

function isK8sStatus(text: string): boolean {
  try {
    const j = JSON.parse(text) as { kind?: unknown };
    return j.kind === 'Status';
  } catch {
    return false;
  }
}

function splitAll(text: string): string[] {
  const lines = text.split('\n').map(l => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * Finds where a reconnected tail response continues the lines already seen (tail mode).
 * Exported for tests.
 */
export class OverlapAligner {
  private buffer: string[] = [];
  private decided = false;

  /**
   * @param seen the last lines already yielded, oldest first
   * @param window how many lines the server was asked for (the snapshot size)
   */
  constructor(
    private readonly seen: string[],
    private readonly window: number
  ) {}

  /** Feeds one response line; returns the lines that are new. */
  push(line: string): string[] {
    if (this.decided) {
      return [line];
    }
    this.buffer.push(line);
    const n = this.buffer.length;
    const l = this.seen.length;
    if (n >= l && this.matchesEndingAt(n - 1)) {
      this.decided = true;
      this.buffer = [];
      return [];
    }
    if (n >= this.window) {
      return this.decidePartial();
    }
    return [];
  }

  /** The response ended before a decision: keep what is not a repeat. */
  flush(): string[] {
    if (this.decided) {
      return [];
    }
    return this.decidePartial();
  }

  private matchesEndingAt(j: number): boolean {
    const l = this.seen.length;
    for (let i = 0; i < l; i++) {
      if (this.buffer[j - i] !== this.seen[l - 1 - i]) {
        return false;
      }
    }
    return true;
  }

  private decidePartial(): string[] {
    this.decided = true;
    const l = this.seen.length;
    const max = Math.min(l, this.buffer.length);
    let best = 0;
    for (let k = max; k > 0; k--) {
      let ok = true;
      for (let i = 0; i < k; i++) {
        if (this.buffer[i] !== this.seen[l - k + i]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        best = k;
        break;
      }
    }
    const out = this.buffer.slice(best);
    this.buffer = [];
    return out;
  }
}
