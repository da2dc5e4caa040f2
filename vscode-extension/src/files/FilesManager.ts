import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FileEntry } from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import { Emitter } from '../util/Emitter';
import type { TransferState } from './transferText';

/** Progress and cancel of a transfer. */
export interface TransferOpts {
  signal?: AbortSignal;
  onProgress?: (progress: TransferState) => void;
}

/** Largest file "open read-only" loads into an editor. */
export const MAX_TEXT_BYTES = 5 * 1024 * 1024;

/** PHFS (the group's shared files): listing, transfers, delete, folders. No UI. */
export class FilesManager {
  private readonly _onDidChange = new Emitter<string | undefined>();
  /** Fires with the changed folder (or undefined for everything). */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: Logger
  ) {}

  /** False while signed out or the token was rejected (the view then shows its welcome). */
  get available(): boolean {
    return this.connection.state === 'signedIn';
  }

  /** One folder level; folders first, then files, each by name. */
  async list(path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const entries = await this.connection.call(c => c.files.list(path, { signal }));
    return [...entries].sort((a, b) =>
      a.isDirectory === b.isDirectory ? a.name.localeCompare(b.name) : a.isDirectory ? -1 : 1
    );
  }

  /** Uploads local files and folders (folders keep their tree) into a PHFS folder. */
  async upload(localPaths: string[], remoteDir: string, opts: TransferOpts = {}): Promise<string[]> {
    const dir = remoteDir.endsWith('/') ? remoteDir : `${remoteDir}/`;
    const written: string[] = [];
    const transfer = {
      signal: opts.signal,
      timeoutMs: 0,
      onProgress: (p: TransferState) => opts.onProgress?.(p)
    };
    for (const local of localPaths) {
      const st = await stat(local);
      if (st.isDirectory()) {
        written.push(
          ...(await this.connection.call(c => c.files.uploadDirectory(local, `${dir}${basename(local)}/`, transfer)))
        );
      } else {
        written.push(await this.connection.call(c => c.files.uploadFile(local, dir, transfer)));
      }
    }
    this.log.info(`uploaded ${written.length} file(s) to ${dir}`);
    // everything: the folder may be new, and its parents not listed yet
    this._onDidChange.fire(undefined);
    return written;
  }

  /** Downloads a file or a folder tree into a local folder. */
  async download(
    entry: Pick<FileEntry, 'path' | 'isDirectory'>,
    localDir: string,
    opts: TransferOpts = {}
  ): Promise<string[]> {
    const transfer = {
      signal: opts.signal,
      timeoutMs: 0,
      onProgress: (p: TransferState) => opts.onProgress?.(p)
    };
    if (entry.isDirectory) {
      const name = basename(entry.path.replace(/\/$/, '')) || 'phfs';
      return this.connection.call(c => c.files.downloadDirectory(entry.path, join(localDir, name), transfer));
    }
    return [await this.connection.call(c => c.files.downloadFile(entry.path, localDir, transfer))];
  }

  async delete(entry: Pick<FileEntry, 'path' | 'isDirectory'>, signal?: AbortSignal): Promise<number> {
    const n = await this.connection.call(c => c.files.delete(entry.path, { recursive: entry.isDirectory, signal }));
    this._onDidChange.fire(undefined);
    return n;
  }

  /**
   * Creates a folder. PHFS is object storage, where a folder exists while it holds a file, so
   * the folder gets an empty `.keep` file (as on the cluster's Shared Files).
   */
  async newFolder(parent: string, name: string, signal?: AbortSignal): Promise<string> {
    const clean = name.trim().replace(/^\/+|\/+$/g, '');
    if (!clean || clean.split('/').some(p => p === '..' || p === '.')) {
      throw new Error(`"${name}" is not a folder name`);
    }
    const dir = `${parent.endsWith('/') ? parent : `${parent}/`}${clean}/`;
    await this.connection.call(c => c.files.upload(`${dir}.keep`, '', { signal }));
    this._onDidChange.fire(parent);
    return dir;
  }

  /** A text file's content for a read-only editor (refuses files over MAX_TEXT_BYTES). */
  async readText(path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.connection.call(c => c.files.download(path, { signal, timeoutMs: 0 }));
    if (res.size !== undefined && res.size !== null && res.size > MAX_TEXT_BYTES) {
      await res.cancel();
      throw new Error(`${path} is larger than ${MAX_TEXT_BYTES / 1024 / 1024} MB; download it instead`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      total += chunk.byteLength;
      if (total > MAX_TEXT_BYTES) {
        await res.cancel();
        throw new Error(`${path} is larger than ${MAX_TEXT_BYTES / 1024 / 1024} MB; download it instead`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  phfsUri(path: string): string {
    return this.connection.client.files.phfsUri(path);
  }

  refreshAll(): void {
    this._onDidChange.fire(undefined);
  }
}
