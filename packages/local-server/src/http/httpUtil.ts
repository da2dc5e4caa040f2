import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiError, invalidInput } from '../errors';

/** Reads a small request body whole, refusing one larger than `max` bytes with 413. */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    req.resume();
    throw invalidInput(`request body larger than ${max} bytes`, 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      throw invalidInput(`request body larger than ${max} bytes`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A refused request's body is read and dropped up to this size before the answer; a larger one is not read. */
const DROP_LIMIT = 256 * 1024 * 1024;
/** How long a refused request's body may pause before its connection is closed with the answer. */
const DROP_IDLE_MS = 10_000;

/**
 * Answers a refused request with `answer` once the rest of its body is read and dropped: closing a connection a
 * client is still sending on resets it, and the reset discards the answer before the client (a proxy that reads
 * while it writes, such as the JupyterLab extension's) has read it. A body declared larger than DROP_LIMIT, or one
 * that stalls, is not waited for: the answer closes the connection. Nothing is sent to a client already gone.
 */
export async function refuse(req: IncomingMessage, res: ServerResponse, answer: () => void): Promise<void> {
  if (!req.readableEnded && !req.destroyed && Number(req.headers['content-length'] ?? 0) <= DROP_LIMIT) {
    await dropBody(req, DROP_LIMIT, DROP_IDLE_MS);
  }
  if (res.headersSent || res.destroyed) {
    return;
  }
  if (!req.readableEnded) {
    res.setHeader('connection', 'close');
  }
  answer();
}

/**
 * Reads and drops the rest of a request body; resolves when it has ended, failed, passed `limit` bytes (left
 * unread) or paused for `idleMs`.
 */
function dropBody(req: IncomingMessage, limit: number, idleMs: number): Promise<void> {
  return new Promise(resolve => {
    let size = 0;
    const done = (): void => {
      clearTimeout(idle);
      req.off('data', onData).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done();
      } else {
        idle.refresh();
      }
    };
    const idle = setTimeout(done, idleMs);
    req.on('data', onData).once('end', done).once('close', done).once('error', done);
    // a body paused by a reader that gave up on it (an unpiped one) flows again
    req.resume();
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  });
  res.end(text);
}

/** A REST error in the real server's shape: `{code, message}`. */
export function sendError(res: ServerResponse, err: ApiError): void {
  if (err.status === 404 && err.message === '') {
    // PHFS answers a missing object with an empty 404.
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  sendJson(res, err.status, { code: err.code, message: err.message });
}
