import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface LogStreamOptions {
  follow: boolean;
  tailLines?: number;
  /** Whether nothing more will be written to the log. */
  isClosed(): boolean;
  /** Subscribes to "the log may have grown or closed"; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  signal: AbortSignal;
}

const CHUNK = 64 * 1024;
/** How often a follower re-checks the file when no change notification arrives. */
const POLL_MS = 500;

/**
 * Streams a job log file to `out` like `kubectl logs`: optionally only the last `tailLines`
 * lines, and with `follow` keeps streaming as the job writes until the log is closed.
 * Memory stays bounded by one chunk; backpressure from `out` is respected.
 */
export async function streamLog(file: string, out: Writable, opts: LogStreamOptions): Promise<void> {
  let handle = await open(file, 'r').catch(() => undefined);
  let offset = handle && opts.tailLines !== undefined ? await tailOffset(handle, opts.tailLines) : 0;
  let wake: (() => void) | undefined;
  const poke = (): void => wake?.();
  let watcher: FSWatcher | undefined;
  const unsubscribe = opts.onChange(poke);
  opts.signal.addEventListener('abort', poke);
  try {
    if (opts.follow) {
      try {
        watcher = watch(file, poke);
      } catch {
        // No file yet (job still pending): polling and runner notifications cover it.
      }
    }
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (opts.signal.aborted) {
        return;
      }
      // Read the closed flag before the size, so bytes written before closing are never missed.
      const closed = opts.isClosed();
      handle ??= await open(file, 'r').catch(() => undefined);
      const size = handle ? (await handle.stat()).size : 0;
      while (handle && offset < size && !opts.signal.aborted) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, size - offset), offset);
        if (bytesRead === 0) {
          break;
        }
        offset += bytesRead;
        if (!out.write(Buffer.from(buf.subarray(0, bytesRead)))) {
          await new Promise<void>(resolve => {
            out.once('drain', resolve);
            out.once('close', resolve);
          });
        }
      }
      if (!opts.follow || closed) {
        return;
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (!watcher && handle === undefined) {
        try {
          watcher = watch(file, poke);
        } catch {
          // still missing
        }
      }
    }
  } finally {
    watcher?.close();
    unsubscribe();
    opts.signal.removeEventListener('abort', poke);
    await handle?.close();
  }
}

/** The byte offset where the last `lines` lines start (a final line without newline counts). */
async function tailOffset(fh: FileHandle, lines: number): Promise<number> {
  const { size } = await fh.stat();
  if (lines <= 0) {
    return size;
  }
  const buf = Buffer.alloc(CHUNK);
  let pos = size;
  let seen = 0;
  let first = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        first = false;
        continue;
      }
      // A newline that ends the file does not start a new line.
      if (first && pos + i === size - 1) {
        first = false;
        continue;
      }
      if (++seen === lines) {
        return pos + i + 1;
      }
    }
  }
  return 0;
}
