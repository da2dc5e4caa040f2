import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';

/** What MLflow answered: its status and its body as text. */
export interface MlflowAnswer {
  status: number;
  text: string;
}

/** One request to an MLflow. */
export interface MlflowRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  /** A JSON body (sent with its content type). */
  json?: unknown;
  /** How long MLflow may take to answer, headers and body each (ms). */
  timeoutMs: number;
}

/** A request MLflow did not answer: refused, reset, or silent past its timeout (`why` says which). */
export class MlflowNoAnswer extends Error {
  constructor(
    readonly why: string,
    options?: ErrorOptions
  ) {
    super(why, options);
    this.name = 'MlflowNoAnswer';
  }
}

/**
 * The one way PrimeHub Local calls an MLflow (its models resolvers as the group, its account
 * provisioning as MLflow's admin): undici on kept-alive connections, each request bounded by its
 * timeout, redirects not followed. Whoever makes one closes it.
 */
export class MlflowHttp {
  private readonly agent: Agent;

  /** @param connections - at most this many connections per MLflow (default: undici's, unbounded). */
  constructor(connections?: number) {
    this.agent = new Agent({ keepAliveTimeout: 4000, connections });
  }

  /** Sends `req` to `url`; rejects with MlflowNoAnswer when there is no answer. */
  async send(url: string, req: MlflowRequest): Promise<MlflowAnswer> {
    const headers = req.json === undefined ? req.headers : { ...req.headers, 'content-type': 'application/json' };
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body: req.json === undefined ? undefined : JSON.stringify(req.json),
        dispatcher: this.agent,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: AbortSignal.timeout(req.timeoutMs)
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      throw new MlflowNoAnswer(noAnswerWhy(err, req.timeoutMs), { cause: err });
    }
  }

  /**
   * Sends a request whose body (if any) and answer are streams, for a reverse proxy: the answer is
   * handed over as soon as its headers arrive, whatever its status; its body must be read or
   * destroyed. `timeoutMs` bounds the wait for the headers and each pause in the body. Rejects with
   * MlflowNoAnswer when there is no answer.
   */
  async stream(
    url: string,
    req: { method: string; headers: Record<string, string>; body?: Readable; timeoutMs: number; signal: AbortSignal }
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: req.signal
      });
    } catch (err) {
      throw new MlflowNoAnswer(noAnswerWhy(err, req.timeoutMs), { cause: err });
    }
  }

  /** Ends the connections at once (requests still waiting fail). */
  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

function noAnswerWhy(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  return e.code ?? e.cause?.code ?? e.message ?? String(err);
}
