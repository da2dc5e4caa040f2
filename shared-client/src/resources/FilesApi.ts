import type { ClientContext } from '../ClientContext';
import { FeatureUnavailableError, ValidationError } from '../errors';
import { FILES_DELETE, FILES_LIST } from '../operations/files';
import type { TransportBody } from '../transport/types';
import type { GroupCallOptions, StoreFile } from '../types';

/** The most entries one `files` listing may ask for (PrimeHub Local's cap per request). */
const MAX_FOLDER_ENTRIES = 10_000;

/** A PHFS entry with its full path and URI. */
export interface FileEntry extends StoreFile {
  /** Absolute PHFS path (leading `/`; directories end with `/`). */
  path: string;
  /** `phfs:///…`, usable e.g. as a deployment model URI. */
  phfsUri: string;
  isDirectory: boolean;
}

/** Progress of an upload or download. */
export interface TransferProgress {
  /** Remote PHFS path of the file in transfer. */
  path: string;
  /** Bytes of this file transferred so far. */
  fileBytes: number;
  fileTotalBytes?: number;
  /** Bytes transferred overall (same as fileBytes for single files). */
  bytes: number;
  totalBytes?: number;
  /** Files completed, and the number of files in the transfer. */
  filesDone: number;
  filesTotal: number;
}

/** Options of transfers. */
export interface TransferOptions extends GroupCallOptions {
  onProgress?: (p: TransferProgress) => void;
}

/** Options of listings. */
export interface ListOptions extends GroupCallOptions {
  recursive?: boolean;
  /** Max items (server default and cap 1000). */
  limit?: number;
}

/** A download in progress: read `body` to the end (or break out) once, or `cancel()` it. */
export interface DownloadResult {
  body: AsyncIterable<Uint8Array>;
  /** Abandons the body and frees the connection. */
  cancel(): Promise<void>;
  /** From Content-Length, when the server sent it. */
  size?: number;
  contentType?: string;
}

/**
 * Normalises a PHFS path: accepts `phfs:///a/b`, `/a/b` or `a/b`; returns `/a/b`.
 * Refuses `..` segments and NUL bytes.
 */
export function normalizePhfsPath(p: string): string {
  if (typeof p !== 'string') {
    throw new ValidationError('path must be a string');
  }
  const s = p.startsWith('phfs://') ? p.slice('phfs://'.length) : p;
  if (s.includes('\0')) {
    throw new ValidationError('path must not contain NUL bytes');
  }
  const segments = s.split('/').filter(seg => seg !== '' && seg !== '.');
  if (segments.includes('..')) {
    throw new ValidationError(`path must not contain ".." segments: ${p}`);
  }
  if (segments.length === 0) {
    return '/';
  }
  return `/${segments.join('/')}${s.endsWith('/') ? '/' : ''}`;
}

/** `phfs:///<path>` for a PHFS path (SDK `files list` phfsUri). */
export function phfsUri(path: string): string {
  return `phfs://${normalizePhfsPath(path)}`;
}

/** Storage path of a group: `name.replace(/_/g, '-').toLowerCase()` (server `toGroupPath`). */
export function toGroupPath(groupName: string): string {
  return groupName.replace(/_/g, '-').toLowerCase();
}

/**
 * REST URL of a PHFS file, derived from the GraphQL endpoint as the SDK does:
 * `<origin><prefix>/files/groups/<groupPath>/<path>` where the endpoint is `<origin><prefix>/graphql`.
 */
export function filesUrl(endpoint: string, groupName: string, path: string): string {
  const u = new URL(endpoint);
  const prefix = /\/graphql\/?$/.test(u.pathname) ? u.pathname.replace(/\/graphql\/?$/, '') : '/api';
  const encoded = normalizePhfsPath(path)
    .split('/')
    .map(seg => encodeURIComponent(seg))
    .join('/');
  u.pathname = `${prefix}/files/groups/${encodeURIComponent(toGroupPath(groupName))}${encoded}`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

async function* counted(source: AsyncIterable<Uint8Array>, onChunk: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onChunk(chunk.length);
    yield chunk;
  }
}

function bodySize(body: TransportBody): number | undefined {
  if (typeof body === 'string') {
    return new TextEncoder().encode(body).length;
  }
  if (body instanceof Uint8Array) {
    return body.length;
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    return body.size;
  }
  return undefined;
}

/**
 * PHFS files (SDK `primehub files`): GraphQL listing/deletion, REST streaming transfers. The Node
 * entry point adds transfers from and to the local disk (`NodeFilesApi`).
 */
export class FilesApi {
  constructor(protected readonly ctx: ClientContext) {}

  /** `phfs:///<path>`. */
  phfsUri(path: string): string {
    return phfsUri(path);
  }

  /** REST URL of a file in the current group (or `group`). */
  async url(path: string, opts: GroupCallOptions = {}): Promise<string> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    return filesUrl(this.ctx.endpoint, group.name, path);
  }

  /**
   * Lists a folder (one level; sub-folders end with `/`) or, with `recursive`, every object
   * under the prefix.
   */
  async list(path = '/', opts: ListOptions = {}): Promise<FileEntry[]> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const prefix = normalizePhfsPath(path);
    // A recursive listing is a raw prefix match: list "dir/" so "dir2/…" is not included.
    const listed = opts.recursive && prefix !== '/' && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    const data = await this.ctx.requester.graphql(
      FILES_LIST,
      {
        where: { phfsPrefix: listed, groupName: group.name },
        options: { recursive: opts.recursive ?? false, limit: opts.limit ?? 1000 }
      },
      opts
    );
    const base = listed.endsWith('/') ? listed : `${listed}/`;
    return (data.files?.items ?? []).map(item => {
      const full = `${base}${item.name}`;
      return { ...item, path: full, phfsUri: `phfs://${full}`, isDirectory: item.name.endsWith('/') };
    });
  }

  /** Every object below `path`, at any depth. */
  listRecursive(path = '/', opts: Omit<ListOptions, 'recursive'> = {}): Promise<FileEntry[]> {
    return this.list(path, { ...opts, recursive: true });
  }

  /**
   * Every entry below `path`, fetched lazily one folder at a time, so no listing cap applies to
   * the whole tree: a folder answering with as many entries as asked for is listed again with a
   * larger limit. With `recursive` (default true) only files are yielded, at any depth, named
   * relative to `path` (like `listRecursive`); without it, one level, folders included.
   */
  async *iterate(path = '/', opts: GroupCallOptions & { recursive?: boolean } = {}): AsyncGenerator<FileEntry> {
    const root = normalizePhfsPath(path).replace(/\/?$/, '/');
    const recursive = opts.recursive ?? true;
    const pending = [root];
    while (pending.length > 0) {
      const folder = pending.shift() as string;
      const subfolders: string[] = [];
      for (const e of await this.listFolder(folder, opts)) {
        const name = e.path.slice(root.length);
        if (!e.isDirectory) {
          yield { ...e, name };
        } else if (recursive) {
          subfolders.push(e.path);
        } else {
          yield { ...e, name };
        }
      }
      // depth first, in listing order
      pending.unshift(...subfolders);
    }
  }

  /**
   * One whole folder level: listed with the server's default limit, again with the largest limit
   * servers accept (PrimeHub Local refuses more than 10,000 entries a request) when that was
   * full. A folder holding more than that cannot be listed through the API: rather than a silent
   * truncation, that is an error naming the folder.
   */
  private async listFolder(folder: string, opts: GroupCallOptions): Promise<FileEntry[]> {
    for (const limit of [1000, MAX_FOLDER_ENTRIES]) {
      const items = await this.list(folder, { ...opts, recursive: false, limit });
      if (items.length < limit) {
        return items;
      }
    }
    throw new FeatureUnavailableError(
      `the PHFS folder ${folder} holds ${MAX_FOLDER_ENTRIES} entries or more, more than the files API lists at once`
    );
  }

  /** True if `path` is a file (an exact object). */
  async isFile(path: string, opts: GroupCallOptions = {}): Promise<boolean> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(
      FILES_LIST,
      { where: { phfsPrefix: normalizePhfsPath(path), groupName: group.name }, options: { recursive: true, limit: 1 } },
      opts
    );
    return data.files?.items?.[0]?.name === '';
  }

  /**
   * Deletes a file, or with `recursive` everything under the folder `path`.
   * Returns the number of objects removed.
   */
  async delete(path: string, opts: GroupCallOptions & { recursive?: boolean } = {}): Promise<number> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    // deleteFiles wants no leading slash; recursive deletion of "dir/" keeps "dir2/…".
    let prefix = normalizePhfsPath(path).replace(/^\//, '');
    if (opts.recursive && prefix !== '' && !prefix.endsWith('/')) {
      prefix += '/';
    }
    const data = await this.ctx.requester.graphql(
      FILES_DELETE,
      { where: { phfsPrefix: prefix, groupName: group.name }, options: { recursive: opts.recursive ?? false } },
      opts
    );
    return data.deleteFiles ?? 0;
  }

  /**
   * Uploads bytes to a PHFS path (raw-body POST, streamed; never retried). In browsers a buffered
   * body (text, bytes, a Blob) with `onProgress` goes through XMLHttpRequest, which reports upload
   * progress; `signal` aborts it.
   * @param body text, bytes, a Blob or an async iterable of chunks
   */
  async upload(path: string, body: TransportBody, opts: TransferOptions & { size?: number } = {}): Promise<void> {
    const remote = normalizePhfsPath(path);
    if (remote.endsWith('/')) {
      throw new ValidationError(`upload target must be a file path, not a folder: ${path}`);
    }
    const url = await this.url(remote, opts);
    const size = opts.size ?? bodySize(body);
    let sent = 0;
    const report = (filesDone: number): void =>
      opts.onProgress?.({
        path: remote,
        fileBytes: sent,
        fileTotalBytes: size,
        bytes: sent,
        totalBytes: size,
        filesDone,
        filesTotal: 1
      });
    // Buffered bodies are sent as they are: browsers stream request bodies only over HTTP/2.
    const buffered =
      typeof body === 'string' || body instanceof Uint8Array || (typeof Blob !== 'undefined' && body instanceof Blob);
    const payload = buffered
      ? body
      : counted(body as AsyncIterable<Uint8Array>, n => {
          sent += n;
          report(0);
        });
    await this.ctx.requester.rest(
      {
        method: 'POST',
        url,
        idempotent: false,
        headers: {
          'content-type': 'application/octet-stream',
          ...(size !== undefined ? { 'content-length': String(size) } : {})
        },
        body: payload,
        // browsers: XMLHttpRequest reports the progress of a buffered body (fetch cannot)
        ...(buffered && opts.onProgress
          ? {
              onUploadProgress: (n: number) => {
                sent = n;
                report(0);
              }
            }
          : {})
      },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 0 }
    );
    if (buffered) {
      sent = size ?? 0;
    }
    report(1);
  }

  /** Opens a download stream of a PHFS file (NotFoundError for a missing file). */
  async download(path: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    const remote = normalizePhfsPath(path);
    const url = await this.url(remote, opts);
    const res = await this.ctx.requester.stream(
      // no */*: PrimeHub renders a 403 as HTML when the client accepts HTML
      { method: 'GET', url, headers: { accept: 'application/json, application/octet-stream' } },
      { signal: opts.signal, timeoutMs: opts.timeoutMs }
    );
    const len = res.headers['content-length'];
    const size = len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
    let got = 0;
    const body = opts.onProgress
      ? counted(res.body, n => {
          got += n;
          opts.onProgress?.({
            path: remote,
            fileBytes: got,
            fileTotalBytes: size,
            bytes: got,
            totalBytes: size,
            filesDone: 0,
            filesTotal: 1
          });
        })
      : res.body;
    return { body, size, contentType: res.headers['content-type'], cancel: () => res.dump() };
  }

  /**
   * Reads a PHFS file as UTF-8 text (e.g. a job's `metrics.json` artifact). Files larger than
   * `maxBytes` (default 16 MiB) are refused with a ValidationError instead of filling memory.
   */
  async readText(path: string, opts: TransferOptions & { maxBytes?: number } = {}): Promise<string> {
    const max = opts.maxBytes ?? 16 * 1024 * 1024;
    const res = await this.download(path, opts);
    const tooBig = (): ValidationError =>
      new ValidationError(`${normalizePhfsPath(path)} is larger than ${max} bytes; download it instead`);
    if (res.size !== undefined && res.size > max) {
      await res.cancel();
      throw tooBig();
    }
    const decoder = new TextDecoder('utf-8');
    let text = '';
    let n = 0;
    for await (const chunk of res.body) {
      n += chunk.length;
      if (n > max) {
        await res.cancel();
        throw tooBig();
      }
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  }

  /** Reads a PHFS file as JSON; a ValidationError names the file when it is not JSON. */
  async readJson<T = unknown>(path: string, opts: TransferOptions & { maxBytes?: number } = {}): Promise<T> {
    const text = await this.readText(path, opts);
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ValidationError(
        `${normalizePhfsPath(path)} is not JSON: ${e instanceof Error ? e.message : String(e)}`
      );
    }
  }
}
