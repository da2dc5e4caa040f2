import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataDir } from '../DataDir';
import { toGroupPath } from '../DataDir';
import { ApiError } from '../errors';
import { checkPrefix } from './phfsPath';

export interface StoreFile {
  name: string;
  size: number | null;
  lastModified: string | null;
}

export interface UploadOptions {
  /** The declared Content-Length, if any: a body that ends short of it is a truncated upload. */
  contentLength?: number;
  maxBytes: number;
}

const DEFAULT_LIMIT = 1000;

/**
 * PrimeHub Store (PHFS) on the local filesystem: one folder per group, objects as files.
 * Mirrors the object-store semantics of the real server: implicit directories, prefix
 * listings, atomic overwrites.
 */
export class Phfs {
  constructor(private readonly dirs: DataDir) {}

  /** The object-store prefix the real server reports (`groups/<groupPath>/<path>`). */
  objectPrefix(groupName: string, phfsPath: string): string {
    return `groups/${toGroupPath(groupName)}${phfsPath}`;
  }

  /** Lists one level (`sub/` entries for folders) or, recursively, every object under a raw prefix. */
  async list(groupName: string, phfsPrefix: string, opts: { recursive?: boolean | null; limit?: number | null }) {
    checkPrefix(phfsPrefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : DEFAULT_LIMIT;
    let prefix = phfsPrefix.startsWith('/') ? phfsPrefix : `/${phfsPrefix}`;
    const root = this.dirs.groupPhfs(groupName);
    const items: StoreFile[] = [];
    if (!opts.recursive) {
      if (!prefix.endsWith('/')) {
        prefix += '/';
      }
      for (const entry of await entries(join(root, prefix))) {
        if (items.length >= limit) {
          break;
        }
        if (entry.isDirectory()) {
          items.push({ name: `${entry.name}/`, size: null, lastModified: null });
        } else if (entry.isFile()) {
          const st = await stat(join(root, prefix, entry.name));
          items.push({ name: entry.name, size: st.size, lastModified: st.mtime.toISOString() });
        }
      }
    } else {
      const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      for await (const [key, size, mtime] of walk(join(root, base), base)) {
        if (items.length >= limit) {
          break;
        }
        if (key.startsWith(prefix)) {
          items.push({ name: key.slice(prefix.length), size, lastModified: mtime });
        }
      }
    }
    return { phfsPrefix: prefix, prefix: this.objectPrefix(groupName, prefix), items };
  }

  /** Deletes the object at `phfsPrefix` or, recursively, every object under that raw prefix. */
  async delete(groupName: string, phfsPrefix: string, recursive: boolean): Promise<number> {
    checkPrefix(phfsPrefix);
    const root = this.dirs.groupPhfs(groupName);
    const prefix = phfsPrefix.startsWith('/') ? phfsPrefix : `/${phfsPrefix}`;
    const doomed: string[] = [];
    if (recursive) {
      const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      for await (const [key] of walk(join(root, base), base)) {
        if (key.startsWith(prefix)) {
          doomed.push(key);
        }
      }
    } else if (await isFile(join(root, prefix))) {
      doomed.push(prefix);
    }
    for (const key of doomed) {
      await unlink(join(root, key));
      await pruneEmptyDirs(dirname(join(root, key)), root);
    }
    return doomed.length;
  }

  /**
   * Streams `body` into a staging file and renames it into place once complete, so a broken,
   * truncated or oversized upload never leaves a partial file and never replaces the old one.
   */
  async upload(groupName: string, segments: string[], body: Readable, opts: UploadOptions): Promise<void> {
    if (opts.contentLength !== undefined && opts.contentLength > opts.maxBytes) {
      body.resume();
      throw tooLarge(opts.maxBytes);
    }
    const root = this.dirs.groupPhfs(groupName);
    const target = join(root, ...segments);
    await this.ensureParents(root, segments);
    if ((await lstat(target).catch(() => undefined))?.isDirectory()) {
      throw new ApiError(`"${segments.join('/')}" is a folder`, 'RESOURCE_CONFLICT', 409);
    }
    const tmp = join(this.dirs.staging, `upload-${randomUUID()}`);
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        done(received > opts.maxBytes ? tooLarge(opts.maxBytes) : null, chunk);
      }
    });
    try {
      // A 1 MiB buffer lets the 64 KiB request chunks reach the disk batched (writev): ~1.3x upload throughput.
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 }));
      if (opts.contentLength !== undefined && received !== opts.contentLength) {
        throw new ApiError(
          `upload truncated: got ${received} of ${opts.contentLength} bytes`,
          'REQUEST_BODY_INVALID',
          400
        );
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Opens an object for download; 404 for anything that is not a regular file inside the group. */
  async open(groupName: string, segments: string[]): Promise<{ stream: ReadStream; size: number; name: string }> {
    const root = this.dirs.groupPhfs(groupName);
    const target = join(root, ...segments);
    // Resolve links a job may have left in PHFS: nothing outside the group's folder is served.
    const [real, realRoot] = await Promise.all([realpath(target).catch(() => ''), realpath(root).catch(() => '')]);
    const st = real ? await stat(real) : undefined;
    if (!real || !realRoot || !real.startsWith(realRoot + sep) || !st?.isFile()) {
      throw new ApiError('', 'RESOURCE_NOT_FOUND', 404);
    }
    // 1 MiB reads instead of the 64 KiB default: fewer reads and socket writes, about twice the throughput.
    return {
      stream: createReadStream(real, { highWaterMark: 1024 * 1024 }),
      size: st.size,
      name: segments[segments.length - 1]
    };
  }

  /** A fresh staging path on the PHFS filesystem, for callers that publish by rename. */
  stagingPath(kind: string): string {
    return join(this.dirs.staging, `${kind}-${randomUUID()}`);
  }

  /** Creates the parent folders of an object, refusing when one of them is a file. */
  async ensureParents(root: string, segments: string[]): Promise<void> {
    let dir = root;
    for (const seg of segments.slice(0, -1)) {
      dir = join(dir, seg);
      const st = await lstat(dir).catch(() => undefined);
      if (st && !st.isDirectory()) {
        throw new ApiError(`"${seg}" is a file, not a folder`, 'RESOURCE_CONFLICT', 409);
      }
    }
    await mkdir(dirname(join(root, ...segments)), { recursive: true });
  }
}

const tooLarge = (max: number): ApiError =>
  new ApiError(`upload exceeds the limit of ${max} bytes`, 'REQUEST_BODY_INVALID', 413);

async function entries(dir: string) {
  const list = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}

/** Every regular file under `dir` as `[key, size, mtime]`, depth first in name order; links are skipped. */
async function* walk(dir: string, keyPrefix: string): AsyncGenerator<[string, number, string]> {
  for (const entry of await entries(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(path, `${keyPrefix}${entry.name}/`);
    } else if (entry.isFile()) {
      const st = await stat(path);
      yield [`${keyPrefix}${entry.name}`, st.size, st.mtime.toISOString()];
    }
  }
}

/** Removes now-empty folders from `dir` up to (not including) `root`: folders are implicit in PHFS. */
export async function pruneEmptyDirs(dir: string, root: string): Promise<void> {
  while (dir.startsWith(root + sep)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
