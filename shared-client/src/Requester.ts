import { GraphqlErrorEntry, HttpError, RequestInfo, TimeoutError } from './errors';
import { graphqlResponseError, restResponseError } from './errorMapping';
import type { Logger } from './logger';
import type { Operation } from './operations/defineOperation';
import { redact } from './redact';
import { RetryPolicy, withRetry } from './retry';
import type { Transport, TransportBody, TransportResponse } from './transport/types';
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
  /** Idle timeout while streaming the body. */
  bodyTimeoutMs?: number;
}

/** A buffered REST response. */
export interface RestResult {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Settings the requester needs from the client. */
export interface RequesterOptions {
  transport: Transport;
  endpoint: string;
  getToken: () => Promise<string | undefined>;
  secrets: () => string[];
  logger: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
  rewriteUrl: (url: string) => string;
}

/** A signal combining the caller's signal with a timeout we own. */
class LinkedSignal {
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  private timeoutError?: TimeoutError;
  private readonly onAbort = (): void => this.controller.abort(this.user?.reason);

  constructor(
    private readonly user: AbortSignal | undefined,
    timeoutMs: number,
    what: string
  ) {
    if (user?.aborted) {
      this.controller.abort(user.reason);
    } else {
      user?.addEventListener('abort', this.onAbort, { once: true });
    }
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timeoutError = new TimeoutError(`${what} timed out after ${timeoutMs} ms`, { status: 0 });
        this.controller.abort(this.timeoutError);
      }, timeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the timeout (headers arrived on a streamed call). */
  stopTimer(): void {
    clearTimeout(this.timer);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.user?.removeEventListener('abort', this.onAbort);
  }

  /** The error to surface: the caller's abort reason untouched, our TimeoutError, or `err`. */
  resolve(err: unknown): unknown {
    if (this.user?.aborted) {
      return this.user.reason;
    }
    if (this.timeoutError) {
      return this.timeoutError;
    }
    return err;
  }
}

/**
 * The single HTTP choke point of the client: auth header, timeouts, retries of idempotent
 * reads, error mapping and redacted logging for both GraphQL and REST.
 */
export class Requester {
  constructor(private readonly o: RequesterOptions) {}

  private info(method: string, url: string, operationName?: string): RequestInfo {
    return { method, url: redact(url, this.o.secrets()), ...(operationName ? { operationName } : {}) };
  }

  private async headers(auth: boolean, extra: Record<string, string> | undefined): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...(extra ?? {}) };
    if (auth) {
      const token = await this.o.getToken();
      if (token) {
        h.authorization = `Bearer ${token}`;
      }
    }
    return h;
  }

  /** Sends one attempt; non-2xx statuses are read, dumped and thrown as mapped errors. */
  private async attempt(req: RestRequest, signal: AbortSignal, checkStatus: boolean): Promise<TransportResponse> {
    const url = this.o.rewriteUrl(req.url);
    const res = await this.o.transport.request({
      method: req.method,
      url,
      headers: await this.headers(req.auth ?? true, { accept: 'application/json', ...req.headers }),
      body: req.body,
      signal,
      ...(req.bodyTimeoutMs !== undefined ? { bodyTimeoutMs: req.bodyTimeoutMs } : {})
    });
    if (checkStatus && (res.status < 200 || res.status >= 300)) {
      let text = '';
      try {
        text = await res.text();
      } catch {
        await res.dump();
      }
      throw restResponseError(res.status, text, this.info(req.method, url), this.o.secrets());
    }
    return res;
  }

  /** A buffered REST call (retried when idempotent). */
  async rest(req: RestRequest, opts: CallOptions = {}): Promise<RestResult> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD');
    const what = `${req.method} ${redact(req.url, this.o.secrets())}`;
    return withRetry(
      async () => {
        const link = new LinkedSignal(opts.signal, opts.timeoutMs ?? this.o.timeoutMs, what);
        try {
          const res = await this.attempt(req, link.signal, true);
          const text = await res.text();
          this.o.logger.debug(`${what} → ${res.status}`);
          return { status: res.status, headers: res.headers, text };
        } catch (err) {
          throw link.resolve(err);
        } finally {
          link.dispose();
        }
      },
      { idempotent, policy: this.o.retry, signal: opts.signal, logger: this.o.logger, what }
    );
  }

  /**
   * A streamed REST call: resolves once headers arrive with a 2xx status; the caller must
   * consume or `dump()` the body. Retries (idempotent only) happen before any byte is read.
   * `timeoutMs` bounds the wait for headers; the body is bounded by the idle timeout.
   */
  async stream(req: RestRequest, opts: CallOptions = {}): Promise<TransportResponse> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD');
    const what = `${req.method} ${redact(req.url, this.o.secrets())}`;
    return withRetry(
      async () => {
        const link = new LinkedSignal(opts.signal, opts.timeoutMs ?? this.o.timeoutMs, what);
        let res: TransportResponse;
        try {
          res = await this.attempt(req, link.signal, true);
        } catch (err) {
          link.dispose();
          throw link.resolve(err);
        }
        link.stopTimer();
        this.o.logger.debug(`${what} → ${res.status} (streaming)`);
        const inner = res.body;
        async function* body(): AsyncGenerator<Uint8Array> {
          try {
            for await (const chunk of inner) {
              yield chunk;
            }
          } catch (err) {
            throw link.resolve(err);
          } finally {
            link.dispose();
          }
        }
        return {
          ...res,
          body: body(),
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
      { idempotent, policy: this.o.retry, signal: opts.signal, logger: this.o.logger, what }
    );
  }

  /**
   * Runs a GraphQL operation (JSON body, Bearer token). Queries are retried on transient
   * failures; mutations never are. Errors keep the partial `data`.
   */
  async graphql<TData, TVariables>(
    op: Operation<TData, TVariables>,
    variables: TVariables,
    opts: CallOptions = {}
  ): Promise<TData> {
    const what = `GraphQL ${op.name}`;
    const url = this.o.rewriteUrl(this.o.endpoint);
    const payload = JSON.stringify({ query: op.text, variables, operationName: op.name });
    return withRetry(
      async () => {
        const link = new LinkedSignal(opts.signal, opts.timeoutMs ?? this.o.timeoutMs, what);
        try {
          const res = await this.o.transport.request({
            method: 'POST',
            url,
            headers: await this.headers(true, { 'content-type': 'application/json', accept: 'application/json' }),
            body: payload,
            signal: link.signal
          });
          const text = await res.text();
          this.o.logger.debug(`${what} → ${res.status}`);
          return this.parseGraphql<TData>(op, res.status, text, url);
        } catch (err) {
          throw link.resolve(err);
        } finally {
          link.dispose();
        }
      },
      { idempotent: op.kind === 'query', policy: this.o.retry, signal: opts.signal, logger: this.o.logger, what }
    );
  }

  private parseGraphql<TData>(op: Operation<TData, unknown>, status: number, text: string, url: string): TData {
    // only errors carry the (redacted) request, so it is built only for them
    const info = (): RequestInfo => this.info('POST', url, op.name);
    let body: { data?: unknown; errors?: GraphqlErrorEntry[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      throw graphqlResponseError(status, body.errors, body.data, op, info(), this.o.secrets());
    }
    if (status < 200 || status >= 300) {
      throw restResponseError(status, text, info(), this.o.secrets());
    }
    if (!body || typeof body !== 'object' || body.data === undefined || body.data === null) {
      throw new HttpError(
        redact(`${op.name}: the server answered HTTP ${status} without GraphQL data`, this.o.secrets()),
        {
          status,
          request: info()
        }
      );
    }
    return body.data as TData;
  }
}
