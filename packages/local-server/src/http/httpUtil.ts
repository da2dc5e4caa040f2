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

/**
 * Reads and drops the rest of a request body; resolves when it has ended, failed, passed `limit` bytes (left
 * unread) or paused for `idleMs`.
 */
export function dropBody(req: IncomingMessage, limit: number, idleMs: number): Promise<void> {
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
