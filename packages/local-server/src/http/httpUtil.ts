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
