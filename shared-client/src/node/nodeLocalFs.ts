import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../errors';
import type { LocalFileEntry, LocalFs } from '../localFs';

async function* walk(root: string, rel: string): AsyncGenerator<LocalFileEntry> {
  const entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    // symlinks are skipped so a tree cannot pull in files from outside it
    if (e.isDirectory()) {
      yield* walk(root, childRel);
    } else if (e.isFile()) {
      const st = await fsp.stat(path.join(root, childRel));
      yield { relativePath: childRel, size: st.size };
    }
  }
}

/**
 * Buffer size of file reads and writes. With fs's defaults (64 KiB reads, one write per network
 * chunk) the disk and the network take turns; 1 MiB batches let them overlap (about 1.6x the
 * download throughput), and memory stays a few MiB per transfer.
 */
const IO_CHUNK = 1024 * 1024;

/** Writes all of `buffers` (writev may write only part of them). */
async function writeAll(fh: fsp.FileHandle, buffers: Uint8Array[]): Promise<void> {
  let left = buffers;
  let total = left.reduce((n, b) => n + b.length, 0);
  while (total > 0) {
    const { bytesWritten } = await fh.writev(left);
    total -= bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const b of left) {
      if (skip >= b.length) {
        skip -= b.length;
      } else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    left = rest;
  }
}

/**
 * Writes chunks to a new file with at most one write in flight: a chunk arriving while the disk is
 * idle is written at once; chunks arriving during a write are batched into the next `writev`,
 * and the source waits once IO_CHUNK bytes are pending. Disk and network overlap with no stream
 * machinery per chunk, as fs.WriteStream's own batching does.
 */
async function writeChunks(file: string, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const fh = await fsp.open(file, 'wx');
  let writing: Promise<void> | undefined;
  let busy = false;
  let batch: Uint8Array[] = [];
  let size = 0;
  const flush = (): void => {
    const buffers = batch;
    batch = [];
    size = 0;
    busy = true;
    writing = writeAll(fh, buffers).finally(() => {
      busy = false;
    });
    // a failed write is reported by the next await of `writing`, not as an unhandled rejection
    writing.catch(() => undefined);
  };
  try {
    for await (const chunk of data) {
      signal?.throwIfAborted();
      batch.push(chunk);
      size += chunk.length;
      if (busy && size >= IO_CHUNK) {
        await writing;
      }
      if (!busy) {
        // also surfaces the error of the write that just finished
        await writing;
        flush();
      }
    }
    await writing;
    if (size > 0) {
      flush();
      await writing;
    }
  } finally {
    await writing?.catch(() => undefined);
    await fh.close();
  }
}

/** Local file access for Node (streams, atomic writes, traversal-safe joins). */
export function createNodeLocalFs(): LocalFs {
  return {
    async stat(p) {
      try {
        const st = await fsp.stat(p);
        return { size: st.size, isDirectory: st.isDirectory(), isFile: st.isFile() };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          return undefined;
        }
        throw e;
      }
    },
    read(p, signal) {
      return createReadStream(p, { signal, highWaterMark: IO_CHUNK });
    },
    async writeAtomic(p, data, signal) {
      await fsp.mkdir(path.dirname(p), { recursive: true });
      const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${randomBytes(4).toString('hex')}.part`);
      try {
        await writeChunks(tmp, data, signal);
        await fsp.rename(tmp, p);
      } catch (e) {
        await fsp.rm(tmp, { force: true });
        // whatever failed first (the source, the disk), an abort rethrows the caller's reason
        throw signal?.aborted ? signal.reason : e;
      }
    },
    walk(dir) {
      return walk(dir, '');
    },
    basename(p) {
      return path.posix.basename(p.replace(/\/+$/, '')) || path.basename(p);
    },
    resolveInside(dir, relative) {
      const segments = relative.split('/').filter(s => s !== '' && s !== '.');
      if (relative.startsWith('/') || relative.includes('\0') || segments.includes('..') || segments.length === 0) {
        throw new ValidationError(`refusing unsafe path "${relative}"`);
      }
      const base = path.resolve(dir);
      const target = path.resolve(base, ...segments);
      if (!target.startsWith(base + path.sep)) {
        throw new ValidationError(`refusing path outside ${dir}: "${relative}"`);
      }
      return target;
    }
  };
}
