import type { ClientContext } from '../ClientContext';
import { ValidationError } from '../errors';
import type { LocalFs } from '../localFs';
import { DownloadResult, FilesApi, normalizePhfsPath, TransferOptions } from '../resources/FilesApi';

/** Writes a download to disk; if writing fails, the response is dumped so no socket leaks. */
async function writeOrCancel(fs: LocalFs, target: string, res: DownloadResult, signal?: AbortSignal): Promise<void> {
  try {
    await fs.writeAtomic(target, res.body, signal);
  } catch (e) {
    await res.cancel().catch(() => undefined);
    throw e;
  }
}

/** PHFS files with transfers from and to the local disk (the Node entry point's `client.files`). */
export class NodeFilesApi extends FilesApi {
  constructor(
    ctx: ClientContext,
    private readonly fs: LocalFs
  ) {
    super(ctx);
  }

  /**
   * Uploads a local file (Node). A `remotePath` ending with `/` receives the file's base name.
   * Returns the PHFS path written.
   */
  async uploadFile(localPath: string, remotePath: string, opts: TransferOptions = {}): Promise<string> {
    const fs = this.fs;
    const st = await fs.stat(localPath);
    if (!st?.isFile) {
      throw new ValidationError(`not a file: ${localPath}`);
    }
    const remote = remotePath.endsWith('/') ? `${remotePath}${fs.basename(localPath)}` : remotePath;
    await this.upload(remote, fs.read(localPath, opts.signal), { ...opts, size: st.size });
    return normalizePhfsPath(remote);
  }

  /**
   * Uploads a local folder tree below `remoteDir` (Node), one file at a time and streamed,
   * keeping relative paths. Returns the PHFS paths written.
   */
  async uploadDirectory(localDir: string, remoteDir: string, opts: TransferOptions = {}): Promise<string[]> {
    const fs = this.fs;
    const st = await fs.stat(localDir);
    if (!st?.isDirectory) {
      throw new ValidationError(`not a directory: ${localDir}`);
    }
    const entries = [];
    for await (const e of fs.walk(localDir)) {
      entries.push(e);
    }
    const totalBytes = entries.reduce((a, e) => a + e.size, 0);
    const base = normalizePhfsPath(remoteDir).replace(/\/$/, '');
    const written: string[] = [];
    let doneBytes = 0;
    for (const [i, e] of entries.entries()) {
      const remote = `${base}/${e.relativePath}`;
      await this.upload(remote, fs.read(fs.resolveInside(localDir, e.relativePath), opts.signal), {
        ...opts,
        size: e.size,
        onProgress: p =>
          opts.onProgress?.({
            ...p,
            bytes: doneBytes + p.fileBytes,
            totalBytes,
            filesDone: i,
            filesTotal: entries.length
          })
      });
      doneBytes += e.size;
      written.push(remote);
    }
    opts.onProgress?.({
      path: base,
      fileBytes: 0,
      bytes: doneBytes,
      totalBytes,
      filesDone: entries.length,
      filesTotal: entries.length
    });
    return written;
  }

  /**
   * Downloads a PHFS file to a local path (Node), writing atomically. Returns the local path.
   */
  async downloadFile(remotePath: string, localPath: string, opts: TransferOptions = {}): Promise<string> {
    const fs = this.fs;
    const st = await fs.stat(localPath);
    const target = st?.isDirectory ? fs.resolveInside(localPath, fs.basename(remotePath)) : localPath;
    const res = await this.download(remotePath, opts);
    await writeOrCancel(fs, target, res, opts.signal);
    return target;
  }

  /**
   * Downloads every file below a PHFS folder into `localDir` (Node), keeping relative paths.
   * Names that would escape `localDir` are refused. `filter` (given names relative to
   * `remoteDir`) picks which files to download. Returns the local paths written.
   */
  async downloadDirectory(
    remoteDir: string,
    localDir: string,
    opts: TransferOptions & { filter?: (name: string) => boolean } = {}
  ): Promise<string[]> {
    const fs = this.fs;
    const entries = (await this.list(remoteDir, { ...opts, recursive: true })).filter(
      e => !e.isDirectory && e.name !== '' && (opts.filter?.(e.name) ?? true)
    );
    const totalBytes = entries.reduce((a, e) => a + (e.size ?? 0), 0);
    const written: string[] = [];
    let doneBytes = 0;
    for (const [i, e] of entries.entries()) {
      const target = fs.resolveInside(localDir, e.name);
      const res = await this.download(e.path, {
        ...opts,
        onProgress: p =>
          opts.onProgress?.({
            ...p,
            bytes: doneBytes + p.fileBytes,
            totalBytes,
            filesDone: i,
            filesTotal: entries.length
          })
      });
      await writeOrCancel(fs, target, res, opts.signal);
      doneBytes += e.size ?? 0;
      written.push(target);
    }
    opts.onProgress?.({
      path: normalizePhfsPath(remoteDir),
      fileBytes: 0,
      bytes: doneBytes,
      totalBytes,
      filesDone: entries.length,
      filesTotal: entries.length
    });
    return written;
  }
}
