import { TimeoutError } from '../errors';
import { mapTransportError } from './errorMapping';
import type { Transport, TransportRequest, TransportResponse } from './types';

/** A `fetch`-compatible function (the global one, VS Code's patched one, a test double…). */
export type FetchLike = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

/** Options of the fetch transport. */
export interface FetchTransportOptions {
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  /** `credentials` for browser requests (e.g. 'same-origin' behind a Jupyter server proxy). */
  credentials?: RequestCredentials;
  /** Time until response headers (ms). Default 30 000; 0 disables. */
  headersTimeoutMs?: number;
  /** Idle time between body chunks (ms). Default 60 000; 0 disables. */
  bodyTimeoutMs?: number;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

function toReadableStream(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = it[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) {
        controller.close();
      } else {
        controller.enqueue(value);
      }
    },
    async cancel() {
      await iterator.return?.();
    }
  });
}

/**
 * Browser transport over `fetch`. Timeouts are enforced with an internal AbortController so a
 * timeout is reported as TimeoutError while a caller's abort keeps its own reason.
 */
export class FetchTransport implements Transport {
  private readonly fetchFn: FetchLike;

  constructor(private readonly options: FetchTransportOptions = {}) {
    const f = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (!f) {
      throw new Error('No fetch implementation available; pass options.fetch');
    }
    this.fetchFn = f.bind(globalThis) as FetchLike;
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const internal = new AbortController();
    const userSignal = req.signal;
    const onAbort = (): void => internal.abort(userSignal?.reason);
    if (userSignal?.aborted) {
      throw userSignal.reason;
    }
    userSignal?.addEventListener('abort', onAbort, { once: true });
    let timedOut: TimeoutError | undefined;
    const fire = (what: string): void => {
      timedOut = new TimeoutError(`${req.method} request timed out (${what})`, { status: 0 });
      internal.abort(timedOut);
    };
    const cleanup = (): void => userSignal?.removeEventListener('abort', onAbort);

    const headersTimeout = req.headersTimeoutMs ?? this.options.headersTimeoutMs ?? 30_000;
    const headersTimer = headersTimeout > 0 ? setTimeout(() => fire('headers'), headersTimeout) : undefined;
    let body: BodyInit | undefined;
    let duplex: 'half' | undefined;
    if (isAsyncIterable(req.body)) {
      body = toReadableStream(req.body);
      duplex = 'half';
    } else {
      body = req.body as BodyInit | undefined;
    }
    let res: Response;
    try {
      res = await this.fetchFn(req.url, {
        method: req.method,
        headers: req.headers,
        body,
        signal: internal.signal,
        ...(duplex ? { duplex } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {})
      });
    } catch (err) {
      cleanup();
      throw timedOut ?? mapTransportError(err, userSignal, `${req.method} request`);
    } finally {
      clearTimeout(headersTimer);
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    const bodyTimeout = req.bodyTimeoutMs ?? this.options.bodyTimeoutMs ?? 60_000;
    const raw = res.body;
    async function* stream(): AsyncGenerator<Uint8Array> {
      if (!raw) {
        cleanup();
        return;
      }
      const reader = raw.getReader();
      let idle: ReturnType<typeof setTimeout> | undefined;
      try {
        for (;;) {
          if (bodyTimeout > 0) {
            idle = setTimeout(() => fire('body idle'), bodyTimeout);
          }
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            throw timedOut ?? mapTransportError(err, userSignal, 'reading the response');
          } finally {
            clearTimeout(idle);
          }
          if (chunk.done) {
            return;
          }
          yield chunk.value;
        }
      } finally {
        cleanup();
        reader.releaseLock();
        if (!internal.signal.aborted) {
          // free the connection on early exit; harmless after a complete read
          void raw.cancel().catch(() => undefined);
        }
      }
    }
    const body$ = stream();
    let started = false;
    const iterable: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        started = true;
        return body$;
      }
    };
    return {
      status: res.status,
      headers,
      body: iterable,
      text: async () => {
        const parts: Uint8Array[] = [];
        for await (const c of iterable) {
          parts.push(c);
        }
        return new TextDecoder().decode(concat(parts));
      },
      dump: async () => {
        try {
          if (started) {
            await body$.return(undefined);
          } else {
            cleanup();
            await raw?.cancel();
          }
        } catch {
          // already failed: nothing to free
        }
      }
    };
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) {
    n += p.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
