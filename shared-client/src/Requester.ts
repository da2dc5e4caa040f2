import {
  AuthError,
  ClientClosedError,
  GraphqlErrorEntry,
  HttpError,
  isPrimeHubError,
  RequestInfo,
  TimeoutError
} from './errors';
import { graphqlResponseError, restResponseError } from './errorMapping';
import type { Logger } from './logger';
import type { Operation } from './operations/defineOperation';
import { redact } from './redact';
import { RetryPolicy, withRetry } from './retry';
import type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport/types';
import type { CallOptions } from './types';

/** One REST call. */
export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: TransportBody;
  /** Retried on transient failures; defaults to true for GET/HEAD only. */
  idempotent?: boolean;
  /** Send the PrimeHub bearer token (default true; false for model endpoints). */
  auth?: boolean;
  /** Idle timeout while streaming the body (ms; 0 disables). Default: the client's `bodyTimeoutMs`. */
  bodyTimeoutMs?: number;
  /** Progress of a buffered body's upload, where the transport can report it (browsers). */
  onUploadProgress?: (sentBytes: number, totalBytes: number | undefined) => void;
  /** Hand back non-2xx answers instead of throwing (model endpoints, whose error bodies the caller reads). */
  anyStatus?: boolean;
}

/** A buffered REST response. */
export interface RestResult {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends one request: the hook's `send` argument. */
export type SendRequest = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * Wraps every request the client sends (like octokit's `hook.wrap`): change the request, add
 * headers, or observe the response, then call `send`.
 *
 * @example
 * hook: (request, send) => send({ ...request, headers: { ...request.headers, 'x-trace': id() } })
 */
export type RequestHook = (request: TransportRequest, send: SendRequest) => Promise<TransportResponse>;

/** Headers added to every request to the PrimeHub API origin, fixed or computed per request. */
export type ExtraHeaders =
  | Record<string, string>
  | (() => Record<string, string> | undefined | Promise<Record<string, string> | undefined>);

/** Settings the requester needs from the client. */
export interface RequesterOptions {
  transport: Transport;
  endpoint: string;
  getToken: () => Promise<string | undefined>;
  secrets: () => string[];
  logger: Logger;
  retry: RetryPolicy;
  /** Whole-call timeout of buffered calls; time until headers of streamed ones (ms; 0 disables). */
  timeoutMs: number;
  /** Idle time between body chunks of streamed calls (ms; 0 disables). */
  bodyTimeoutMs: number;
  rewriteUrl: (url: string) => string;
  /** Added to requests whose origin is the endpoint's (not to other hosts, e.g. model endpoints). */
  headers?: ExtraHeaders;
  hook?: RequestHook;
  /** Told of every call PrimeHub refused for its token, after the error is mapped. */
  onAuthError?: (error: AuthError) => void;
}

/**
 * The one owner of a request's timeouts: a signal combining the caller's signal, the client's
 * close and a timer. Transports only honour the signal, so which error a caller sees never
 * depends on which of several timers fired first.
 */
class LinkedSignal {
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  private failure?: Error;
  private lastActivity = 0;
  private readonly onAbort = (): void => this.controller.abort(this.user?.reason);
  private readonly onClose = (): void => this.fail(new ClientClosedError('the client was closed'));

  constructor(
    private readonly user: AbortSignal | undefined,
    private readonly closed: AbortSignal,
    timeoutMs: number,
    private readonly what: string
  ) {
    if (user?.aborted) {
      this.controller.abort(user.reason);
    } else {
      user?.addEventListener('abort', this.onAbort, { once: true });
    }
    if (closed.aborted) {
      this.onClose();
    } else {
      closed.addEventListener('abort', this.onClose, { once: true });
    }
    if (timeoutMs > 0) {
      this.timer = setTimeout(
        () => this.fail(new TimeoutError(`${what} timed out after ${timeoutMs} ms`, { status: 0 })),
        timeoutMs
      );
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private fail(err: Error): void {
    if (!this.controller.signal.aborted) {
      this.failure = err;
      this.controller.abort(err);
    }
  }

  /**
   * Replaces the call timeout by an idle timeout (headers arrived on a streamed call). Activity
   * only records a time stamp; the timer re-arms itself lazily, so a chunk costs no timer call.
   */
  idle(ms: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms <= 0) {
      return;
    }
    this.lastActivity = Date.now();
    const check = (): void => {
      const quiet = Date.now() - this.lastActivity;
      if (quiet >= ms) {
        this.fail(new TimeoutError(`${this.what}: no data for ${ms} ms`, { status: 0 }));
      } else {
        this.timer = setTimeout(check, ms - quiet);
      }
    };
    this.timer = setTimeout(check, ms);
  }

  /** A body chunk arrived. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.user?.removeEventListener('abort', this.onAbort);
    this.closed.removeEventListener('abort', this.onClose);
  }

  /** The error to surface: the caller's abort reason untouched, our own failure, or `err`. */
  resolve(err: unknown): unknown {
    if (this.user?.aborted) {
      return this.user.reason;
    }
    return this.failure ?? err;
  }
}

/** How one call is sent. */
interface SendSpec {
  request: RestRequest;
  /** Map non-2xx statuses to errors before handing the response on (REST), or not (GraphQL). */
  checkStatus: boolean;
  idempotent: boolean;
  what: string;
  operationName?: string;
}

/**
 * The single HTTP choke point of the client: auth and extra headers, the request hook, timeouts,
 * retries of idempotent reads, error mapping and redacted logging for both GraphQL and REST.
 */
export class Requester {
  private readonly closing = new AbortController();

  constructor(private readonly o: RequesterOptions) {}

  /** Aborted (with a ClientClosedError) when the client closes. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Aborts every request in flight (log follows included) and refuses new ones. */
  close(): void {
    this.closing.abort(new ClientClosedError('the client was closed'));
  }

  private info(method: string, url: string, operationName?: string): RequestInfo {
    return { method, url: redact(url, this.o.secrets()), ...(operationName ? { operationName } : {}) };
  }

  private async headers(url: string, auth: boolean, given: Record<string, string>): Promise<Record<string, string>> {
    const h: Record<string, string> = {};
    if (this.o.headers && sameOrigin(url, this.o.rewriteUrl(this.o.endpoint))) {
      const extra = typeof this.o.headers === 'function' ? await this.o.headers() : this.o.headers;
      for (const [k, v] of Object.entries(extra ?? {})) {
        h[k.toLowerCase()] = v;
      }
    }
    for (const [k, v] of Object.entries(given)) {
      h[k.toLowerCase()] = v;
    }
    if (auth) {
      const token = await this.o.getToken();
      if (token) {
        h.authorization = `Bearer ${token}`;
      }
    }
    return h;
  }

  /**
   * Sends a call with retries. Each attempt gets its own linked signal; `read` consumes the
   * response while the signal is alive. When `read` returns a streamed response, the signal lives
   * on until its body is read or dumped (`keep`).
   */
  private send<T>(
    spec: SendSpec,
    opts: CallOptions,
    read: (res: TransportResponse, link: LinkedSignal, url: string) => Promise<T>,
    keep = false
  ): Promise<T> {
    const { request: req } = spec;
    const notify = this.o.onAuthError;
    const call = withRetry(
      async () => {
        const link = new LinkedSignal(opts.signal, this.closing.signal, opts.timeoutMs ?? this.o.timeoutMs, spec.what);
        let handedOver = false;
        try {
          const url = this.o.rewriteUrl(req.url);
          const request: TransportRequest = {
            method: req.method,
            url,
            headers: await this.headers(url, req.auth ?? true, { accept: 'application/json', ...req.headers }),
            body: req.body,
            signal: link.signal,
            ...(req.onUploadProgress ? { onUploadProgress: req.onUploadProgress } : {})
          };
          const transport = this.o.transport;
          const res = this.o.hook
            ? await this.o.hook(request, r => transport.request(r))
            : await transport.request(request);
          if (spec.checkStatus && (res.status < 200 || res.status >= 300)) {
            let text = '';
            try {
              text = await res.text();
            } catch {
              await res.dump();
            }
            throw restResponseError(res.status, text, this.info(req.method, url), this.o.secrets(), res.headers);
          }
          const out = await read(res, link, url);
          handedOver = keep;
          return out;
        } catch (err) {
          throw link.resolve(err);
        } finally {
          if (!handedOver) {
            link.dispose();
          }
        }
      },
      { idempotent: spec.idempotent, policy: this.o.retry, signal: opts.signal, logger: this.o.logger, what: spec.what }
    );
    if (!notify) {
      return call;
    }
    return call.catch((err: unknown) => {
      if (isPrimeHubError(err) && err.code === 'AUTH_FAILED') {
        try {
          notify(err as AuthError);
        } catch {
          // a listener's failure must not replace the call's own error
        }
      }
      throw err;
    });
  }

  private restSpec(req: RestRequest): SendSpec {
    return {
      request: req,
      checkStatus: !req.anyStatus,
      idempotent: req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD'),
      what: `${req.method} ${redact(req.url, this.o.secrets())}`
    };
  }

  /** A buffered REST call (retried when idempotent). */
  rest(req: RestRequest, opts: CallOptions = {}): Promise<RestResult> {
    const spec = this.restSpec(req);
    return this.send(spec, opts, async res => {
      const text = await res.text();
      this.o.logger.debug(`${spec.what} → ${res.status}`);
      return { status: res.status, headers: res.headers, text };
    });
  }

  /**
   * A streamed REST call: resolves once headers arrive with a 2xx status; the caller must
   * consume or `dump()` the body. Retries (idempotent only) happen before any byte is read.
   * `timeoutMs` bounds the wait for headers; the body is bounded by the idle timeout.
   */
  stream(req: RestRequest, opts: CallOptions = {}): Promise<TransportResponse> {
    const spec = this.restSpec(req);
    const idleMs = req.bodyTimeoutMs ?? this.o.bodyTimeoutMs;
    return this.send(
      spec,
      opts,
      async (res, link) => {
        link.idle(idleMs);
        this.o.logger.debug(`${spec.what} → ${res.status} (streaming)`);
        const body = watchedBody(res.body, link);
        return {
          ...res,
          body,
          text: async () => {
            try {
              return await res.text();
            } catch (err) {
              throw link.resolve(err);
            } finally {
              link.dispose();
            }
          },
          dump: async () => {
            link.dispose();
            await res.dump();
          }
        };
      },
      true
    );
  }

  /**
   * Runs a GraphQL operation (JSON body, Bearer token). Queries are retried on transient
   * failures; mutations never are. Errors keep the partial `data`.
   */
  graphql<TData, TVariables>(
    op: Operation<TData, TVariables>,
    variables: TVariables,
    opts: CallOptions = {}
  ): Promise<TData> {
    const spec: SendSpec = {
      request: {
        method: 'POST',
        url: this.o.endpoint,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: op.text, variables, operationName: op.name })
      },
      checkStatus: false,
      idempotent: op.kind === 'query',
      what: `GraphQL ${op.name}`
    };
    return this.send(spec, opts, async (res, _link, url) => {
      const text = await res.text();
      this.o.logger.debug(`${spec.what} → ${res.status}`);
      return this.parseGraphql<TData>(op, res, text, url);
    });
  }

  private parseGraphql<TData>(op: Operation<TData, unknown>, res: TransportResponse, text: string, url: string): TData {
    const status = res.status;
    // only errors carry the (redacted) request, so it is built only for them
    const info = (): RequestInfo => this.info('POST', url, op.name);
    let body: { data?: unknown; errors?: GraphqlErrorEntry[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      throw graphqlResponseError(status, body.errors, body.data, op, info(), this.o.secrets(), res.headers);
    }
    if (status < 200 || status >= 300) {
      throw restResponseError(status, text, info(), this.o.secrets(), res.headers);
    }
    if (!body || typeof body !== 'object' || body.data === undefined || body.data === null) {
      throw new HttpError(
        redact(`${op.name}: the server answered HTTP ${status} without GraphQL data`, this.o.secrets()),
        { status, request: info(), headers: res.headers }
      );
    }
    return body.data as TData;
  }
}

/**
 * A streamed body that records activity for the idle timeout, maps failures through the linked
 * signal and releases it at the end. A plain iterator object rather than an async generator: it
 * adds no promise hop per chunk on the hot path of downloads.
 */
function watchedBody(inner: AsyncIterable<Uint8Array>, link: LinkedSignal): AsyncIterableIterator<Uint8Array> {
  let it: AsyncIterator<Uint8Array> | undefined;
  let finished = false;
  const finish = (): void => {
    if (!finished) {
      finished = true;
      link.dispose();
    }
  };
  const body: AsyncIterableIterator<Uint8Array> = {
    async next(): Promise<IteratorResult<Uint8Array>> {
      if (finished) {
        return { value: undefined, done: true };
      }
      it ??= inner[Symbol.asyncIterator]();
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (err) {
        finish();
        throw link.resolve(err);
      }
      if (r.done) {
        finish();
      } else {
        link.touch();
      }
      return r;
    },
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (!finished) {
        finish();
        // also when nothing was read yet: the transport frees the connection
        it ??= inner[Symbol.asyncIterator]();
        await it.return?.();
      }
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return body;
    }
  };
  return body;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
