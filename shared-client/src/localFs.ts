/** One regular file found while walking a local directory. */
export interface LocalFileEntry {
  /** Path relative to the walked directory, with `/` separators. */
  relativePath: string;
  size: number;
}

/**
 * Local file-system access used by file transfers. The Node entry point provides an
 * implementation; browser builds have none, so disk-based helpers are unavailable there.
 */
export interface LocalFs {
  stat(path: string): Promise<{ size: number; isDirectory: boolean; isFile: boolean } | undefined>;
  /** Streams a file in chunks (constant memory). */
  read(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * Writes a stream to `path` atomically (temporary file in the same folder, then rename),
   * creating parent folders; the temporary file is removed on failure.
   */
  writeAtomic(path: string, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void>;
  /** Lists regular files below `dir`, recursively. */
  walk(dir: string): AsyncIterable<LocalFileEntry>;
  basename(path: string): string;
  /**
   * Joins `relative` (with `/` separators) below `dir`, refusing absolute paths and any
   * `..` that would escape `dir`.
   */
  resolveInside(dir: string, relative: string): string;
}
