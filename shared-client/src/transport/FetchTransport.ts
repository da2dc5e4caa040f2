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
  /**
   * `XMLHttpRequest` constructor for uploads that report progress (`fetch` cannot). Defaults to
   * `globalThis.XMLHttpRequest`; without one, uploads go through `fetch` without progress.
   */
  XMLHttpRequest?: XhrConstructor;
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
 * Browser transport over `fetch` (and `XMLHttpRequest` for uploads with progress). It keeps no
 * timers: the client's timeouts abort `req.signal`, and a caller's abort keeps its own reason.
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
    const signal = req.signal;
    if (signal?.aborted) {
      throw signal.reason;
    }
    const Xhr = this.options.XMLHttpRequest ?? (globalThis as { XMLHttpRequest?: XhrConstructor }).XMLHttpRequest;
    if (req.onUploadProgress && Xhr && isBuffered(req.body)) {
      return xhrRequest(Xhr, req, this.options.credentials);
    }
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
        signal,
        ...(duplex ? { duplex } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {})
      });
    } catch (err) {
      throw mapTransportError(err, signal, `${req.method} request`);
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    const raw = res.body;
    async function* stream(): AsyncGenerator<Uint8Array> {
      if (!raw) {
        return;
      }
      const reader = raw.getReader();
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            throw mapTransportError(err, signal, 'reading the response');
          }
          if (chunk.done) {
            return;
          }
          yield chunk.value;
        }
      } finally {
        reader.releaseLock();
        if (!signal?.aborted) {
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
            await raw?.cancel();
          }
        } catch {
          // already failed: nothing to free
        }
      }
    };
  }
}

/** The part of `XMLHttpRequest` the upload path uses. */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  withCredentials: boolean;
  responseType: XMLHttpRequestResponseType;
  readonly upload: { onprogress: ((ev: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly status: number;
  readonly response: unknown;
  getAllResponseHeaders(): string;
  send(body?: unknown): void;
  abort(): void;
}

/** A constructor of {@link XhrLike} (the browser's `XMLHttpRequest`). */
export type XhrConstructor = new () => XhrLike;

function isBuffered(body: TransportRequest['body']): boolean {
  return (
    typeof body === 'string' || body instanceof Uint8Array || (typeof Blob !== 'undefined' && body instanceof Blob)
  );
}

/** Forbidden for scripts to set: the browser computes it from the body. */
const XHR_FORBIDDEN = new Set(['content-length', 'host', 'connection']);

/** One buffered request over XMLHttpRequest, reporting upload progress; the response is read whole. */
function xhrRequest(
  Xhr: XhrConstructor,
  req: TransportRequest,
  credentials: RequestCredentials | undefined
): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const xhr = new Xhr();
    const signal = req.signal;
    const onAbort = (): void => xhr.abort();
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    xhr.open(req.method, req.url);
    xhr.responseType = 'arraybuffer';
    xhr.withCredentials = credentials === 'include';
    for (const [k, v] of Object.entries(req.headers)) {
      if (!XHR_FORBIDDEN.has(k.toLowerCase())) {
        xhr.setRequestHeader(k, v);
      }
    }
    xhr.upload.onprogress = ev => req.onUploadProgress?.(ev.loaded, ev.lengthComputable ? ev.total : undefined);
    xhr.onload = () => {
      done();
      const bytes = new Uint8Array((xhr.response as ArrayBuffer | null) ?? new ArrayBuffer(0));
      resolve(bufferedResponse(xhr.status, parseHeaders(xhr.getAllResponseHeaders()), bytes));
    };
    xhr.onerror = () => {
      done();
      reject(mapTransportError(new TypeError('XMLHttpRequest failed'), signal, `${req.method} request`));
    };
    xhr.onabort = () => {
      done();
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(req.body instanceof Uint8Array ? req.body.slice() : req.body);
  });
}

function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

function bufferedResponse(status: number, headers: Record<string, string>, bytes: Uint8Array): TransportResponse {
  return {
    status,
    headers,
    body: (async function* () {
      if (bytes.length > 0) {
        yield bytes;
      }
    })(),
    text: async () => new TextDecoder().decode(bytes),
    dump: async () => undefined
  };
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
