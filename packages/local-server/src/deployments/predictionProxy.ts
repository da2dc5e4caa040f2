import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import { missing } from '../errors';
import { refuse, sendJson } from '../http/httpUtil';
import { forwardedHeaders } from '../http/proxyHeaders';
import type { Services } from '../Services';

/** Headers only PrimeHub Local sets (beside the hop-by-hop ones), never passed on. */
const DROPPED = new Set([
  'host',
  // Node answered `100-continue` already; undici refuses to send the header on
  'expect',
  'authorization',
  'x-forwarded-user'
]);

/** The largest request body a prediction may send (100 MiB), as a cluster's ingress bounds it. */
export const MAX_PREDICTION_BODY = 100 * 1024 * 1024;

/** Passes a request body on as it comes, failing once it grows past {@link MAX_PREDICTION_BODY}. */
class BodyLimit extends Transform {
  seen = 0;
  exceeded = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > MAX_PREDICTION_BODY) {
      this.exceeded = true;
      callback(new Error('request body too large'));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * A body up to this size with a declared length (a prediction's usual JSON) is passed on in one piece, so that
 * the request to the replica takes one write rather than one per part; larger ones are streamed.
 */
const SMALL_BODY = 64 * 1024;

/** A request body of a declared length of at most {@link SMALL_BODY}, read whole. */
function readSmall(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
      .once('error', reject)
      // a client gone before the end fails it, as Node's own readers do (an Error made only then: it is costly)
      .once('close', () => {
        if (!req.complete) {
          reject(new Error('aborted'));
        }
      });
  });
}

/**
 * Sends a request to a replica and streams its answer to `res` as it comes (a chunk written as it arrives,
 * the replica paused while `res` is full): resolves once the answer has ended. Rejects before the answer's
 * headers when the replica could not be reached, and after them (`res` destroyed) when it broke off. The
 * client going away aborts the request. A handler of undici's rather than its `request()`: no stream or
 * promise of its own between the two sockets, which would double the proxy's work per prediction.
 */
function forward(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    const gone = (): void => controller?.abort(new Error('the client went away'));
    res.once('close', gone);
    dispatcher.dispatch(opts, {
      onRequestStart(c) {
        controller = c;
        if (res.destroyed) {
          // gone while the request waited for a connection
          gone();
        }
      },
      onResponseStart(_c, statusCode, headers) {
        // an informational answer (1xx) is the replica's and Node's business, not the client's
        if (statusCode >= 200) {
          res.writeHead(statusCode, forwardedHeaders(headers, DROPPED));
        }
      },
      onResponseData(c, chunk) {
        if (!res.write(chunk)) {
          c.pause();
          res.once('drain', () => c.resume());
        }
      },
      onResponseEnd() {
        res.off('close', gone);
        res.end();
        resolve();
      },
      onResponseError(_c, err) {
        res.off('close', gone);
        if (res.headersSent) {
          res.destroy(err);
        }
        reject(err);
      }
    });
  });
}

const TOO_LARGE = `the request body is larger than ${MAX_PREDICTION_BODY / 1024 / 1024} MiB, the most a prediction may send`;

/** An error in the body Seldon's executor answers with when the model did not (`{"status": {code, info}}`). */
function seldonError(res: ServerResponse, code: number, info: string, reason: string, headers = {}): void {
  res.setHeader('cache-control', 'no-store');
  for (const [k, v] of Object.entries(headers)) {
    res.setHeader(k, v as string);
  }
  sendJson(res, code, { status: { code, info, reason, status: 'FAILURE' } });
}

/** The client name and token of an HTTP Basic `authorization` header. */
function basicCredentials(header: string | undefined): { name: string; token: string } | undefined {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) {
    return undefined;
  }
  const pair = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? undefined : { name: pair.slice(0, colon), token: pair.slice(colon + 1) };
}

/**
 * PrimeHub's `/deployment/<id>/<path>` route: the request, its body streamed, to the next ready
 * replica of a Deployed deployment, and the model server's answer streamed back as it is. A private
 * endpoint needs a client's credentials (HTTP Basic), and the model sees the client's name in
 * `X-Forwarded-User`. While the deployment is Deploying, Stopping, Stopped or Failed: 503 saying so. A request
 * refused is answered as the REST routes answer theirs, once the rest of its body is dropped.
 */
export async function servePrediction(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  id: string,
  pathAndQuery: string
): Promise<void> {
  const row = services.deployments.get(id);
  if (!row) {
    throw missing(`deployment "${id}" not found`);
  }
  let client: string | undefined;
  if (row.endpoint_access_type === 'private') {
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials || !services.deployments.checkClient(id, credentials.name, credentials.token)) {
      return refuse(req, res, () =>
        seldonError(
          res,
          401,
          `deployment ${id} is private: send a client's name and token with HTTP Basic authentication`,
          'UNAUTHORIZED',
          { 'www-authenticate': `Basic realm="deployment ${id}"` }
        )
      );
    }
    client = credentials.name;
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_PREDICTION_BODY) {
    // refused before a byte of it is passed on
    return refuse(req, res, () => seldonError(res, 413, TOO_LARGE, 'REQUEST_TOO_LARGE'));
  }
  const route = services.deploymentRunner.route(id, row);
  if ('status' in route) {
    const why =
      route.status === 'Failed'
        ? `deployment ${id} is Failed${row.message ? `: ${row.message}` : ''}`
        : route.status === 'Unavailable'
          ? `deployment ${id} has no replica ready: one is restarting`
          : `deployment ${id} is ${route.status}`;
    return refuse(req, res, () => seldonError(res, 503, why, route.status.toUpperCase()));
  }
  const headers = forwardedHeaders(req.headers, DROPPED);
  if (client) {
    headers['x-forwarded-user'] = client;
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  const small = hasBody && declared !== undefined && declared <= SMALL_BODY;
  // a larger body is streamed through, never held whole: only the limit's count is kept
  const limit = hasBody && !small ? new BodyLimit() : undefined;
  if (limit) {
    req.once('error', err => limit.destroy(err));
    req.pipe(limit);
  }
  /** The answer when the replica gave none, sent once the replica is released. */
  let refusal: (() => void) | undefined;
  try {
    const body = small ? await readSmall(req) : limit;
    try {
      await forward(
        services.deploymentRunner.dispatcher,
        {
          origin: `http://127.0.0.1:${route.port}`,
          path: `/${pathAndQuery}`,
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers,
          body,
          // a model may think for as long as it needs; the client decides when to give up
          headersTimeout: 0,
          bodyTimeout: 0
        },
        res
      );
    } catch (err) {
      if (res.headersSent || res.destroyed || req.destroyed) {
        // broken off mid-answer (the client's connection closed with it), or the client is gone
        return;
      }
      // the rest of the body goes nowhere: it is dropped before the answer
      req.unpipe();
      if (limit?.exceeded) {
        refusal = () => seldonError(res, 413, TOO_LARGE, 'REQUEST_TOO_LARGE');
      } else {
        services.deploymentRunner.unreachable(id, route.pod);
        const code = (err as { code?: string }).code ?? (err as Error).message;
        refusal = () =>
          seldonError(res, 502, `the model server of ${route.pod} did not answer: ${code}`, 'MODEL_SERVER_UNREACHABLE');
      }
    }
  } finally {
    route.release();
  }
  if (refusal) {
    await refuse(req, res, refusal);
  }
}
