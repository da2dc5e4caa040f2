import { constants, createWriteStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/*
 * Working on files a job or a user controls without ever following a link.
 *
 * A running job can swap any folder it can write (its home, its group's PHFS and volume) for a symbolic link at any
 * moment, so checking a path (realpath, lstat) and then using it again is a race the job can win. Linux's openat2
 * with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS would close it, but Node has no openat: it would take a native addon
 * (a compiler at install time, one more binary to trust) and a mount namespace rooted at the folder would take
 * privileges the server does not have when it runs as a normal user. Instead every path is walked one component at
 * a time from a trusted root, each folder opened with O_DIRECTORY | O_NOFOLLOW and the last component with
 * O_NOFOLLOW: a link anywhere fails with ELOOP or ENOTDIR. The next component is then named as
 * `/proc/self/fd/<fd of the open folder>/<name>`, which the kernel resolves beneath the very folder that was opened,
 * wherever it has moved since; unlink, rmdir, rename and mkdir on such paths act there too. That needs only /proc,
 * works as any user and needs no addon.
 */

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A folder opened without following links; never a link itself. */
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** Opening a FIFO a job left would block a thread for ever: O_NONBLOCK returns at once (and is ignored for files). */
const FILE_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** The errors that say a component was a link or not a folder (or vanished) while it was walked. */
const NOT_A_FOLDER = new Set(['ELOOP', 'ENOTDIR', 'ENOENT']);

/** Whether `err` is an error of a walk that met a link, a file where a folder was expected, or nothing. */
export function isNotBeneath(err: unknown): boolean {
  return NOT_A_FOLDER.has((err as NodeJS.ErrnoException).code ?? '');
}

/** One directory entry as it is (lstat): a link is reported as a link, never as what it points to. */
export interface Entry {
  name: string;
  stats: Stats;
}

/** A file-system error with an errno code, as Node's own fs calls give (not one of PrimeHub's API codes). */
function errnoError(message: string, errno: 'EINVAL' | 'EFBIG'): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: errno });
}

function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw errnoError(`invalid path component "${name}"`, 'EINVAL');
  }
}

/**
 * An open folder. Names beneath it are resolved through its file descriptor, so what it holds is reached even if
 * the folder is moved, and a link in its place afterwards changes nothing. Close it (try/finally).
 */
export class Dir {
  private constructor(private readonly handle: FileHandle) {}

  /** Opens a trusted folder (the server's own path, e.g. a group's PHFS root); a link there is refused too. */
  static async open(path: string): Promise<Dir> {
    return new Dir(await open(path, DIR_FLAGS));
  }

  /** Runs `fn` with the folder `opening` (open, or being opened), closing it afterwards. */
  static async using<T>(opening: Dir | Promise<Dir>, fn: (dir: Dir) => Promise<T>): Promise<T> {
    const dir = await opening;
    try {
      return await fn(dir);
    } finally {
      await dir.close();
    }
  }

  /** The path naming `name` beneath this folder (for a call that takes a path). */
  at(name: string): string {
    checkName(name);
    return `/proc/self/fd/${this.handle.fd}/${name}`;
  }

  /** Opens the sub-folder `segments` (none: this folder again); ELOOP/ENOTDIR/ENOENT if any part is not a folder. */
  async dir(segments: readonly string[]): Promise<Dir> {
    // The fd's own /proc entry is a (trusted) link to this folder: opened following it.
    let current = new Dir(await open(`/proc/self/fd/${this.handle.fd}`, O_RDONLY | O_DIRECTORY));
    for (const seg of segments) {
      try {
        const next = new Dir(await open(current.at(seg), DIR_FLAGS));
        await current.close();
        current = next;
      } catch (err) {
        await current.close();
        throw err;
      }
    }
    return current;
  }

  /** Like {@link dir}, making missing folders (mode 0o755 less the umask); a link or a file on the way is refused. */
  async mkdirs(segments: readonly string[]): Promise<{ dir: Dir; created: number }> {
    let current = await this.dir([]);
    let created = 0;
    for (const seg of segments) {
      try {
        // mkdir never follows a link in its last component (EEXIST); the open below refuses one.
        await mkdir(current.at(seg)).then(
          () => created++,
          (err: NodeJS.ErrnoException) => {
            if (err.code !== 'EEXIST') {
              throw err;
            }
          }
        );
        const next = new Dir(await open(current.at(seg), DIR_FLAGS));
        await current.close();
        current = next;
      } catch (err) {
        await current.close();
        throw err;
      }
    }
    return { dir: current, created };
  }

  /** Opens the regular file `name` for reading; a link (ELOOP) or anything but a regular file (EISDIR/EINVAL) is refused. */
  async openFile(name: string): Promise<{ handle: FileHandle; stats: Stats }> {
    const handle = await open(this.at(name), FILE_FLAGS);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw Object.assign(new Error(`"${name}" is not a regular file`), {
          code: stats.isDirectory() ? 'EISDIR' : 'EINVAL'
        });
      }
      return { handle, stats };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Like `openFile`, but undefined where there is no regular file to serve: nothing there, a link, a folder, a
   * device or FIFO, a name too long to exist. Other errors (EACCES, EMFILE…) are thrown: they are not a 404.
   */
  async openFileIfAny(name: string): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
    return this.openFile(name).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (isNotBeneath(err) || code === 'EISDIR' || code === 'EINVAL' || code === 'ENAMETOOLONG') {
        return undefined;
      }
      throw err;
    });
  }

  /** The entry `name` itself (never what a link points to); undefined if there is none. */
  async lstat(name: string): Promise<Stats | undefined> {
    return lstat(this.at(name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        return undefined;
      }
      throw err;
    });
  }

  /** The entries of this folder in name order, each as it is (lstat); entries that vanish meanwhile are left out. */
  async entries(): Promise<Entry[]> {
    const names = (await readdir(`/proc/self/fd/${this.handle.fd}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const list: Entry[] = [];
    for (const name of names) {
      const stats = await this.lstat(name);
      if (stats) {
        list.push({ name, stats });
      }
    }
    return list;
  }

  /** Removes the entry `name` (a file or a link, never what it points to). */
  unlink(name: string): Promise<void> {
    return unlink(this.at(name));
  }

  /** Removes the empty folder `name`. */
  rmdir(name: string): Promise<void> {
    return rmdir(this.at(name));
  }

  /** Moves `from` (a trusted path, e.g. a staged file) to `name` beneath this folder, replacing a file or link there. */
  moveIn(from: string, name: string): Promise<void> {
    return rename(from, this.at(name));
  }

  /**
   * Removes `name` and, if it is a folder, everything in it, never following a link: links are removed as links,
   * and a folder swapped for a link while it is emptied is unlinked, not descended into. No error if it is gone.
   */
  async removeTree(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // unlink removes files and links; a folder answers EISDIR.
        await this.unlink(name);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return;
        }
        if (code !== 'EISDIR' && code !== 'EPERM') {
          throw err;
        }
      }
      try {
        await Dir.using(this.dir([name]), async sub => {
          for (const entry of await sub.entries()) {
            await sub.removeTree(entry.name);
          }
        });
        await this.rmdir(name);
        return;
      } catch (err) {
        // Swapped for a link or a file, or filled again, meanwhile: look again, a few times.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return;
        }
        if (attempt >= 5 || !(isNotBeneath(err) || code === 'ENOTEMPTY')) {
          throw err;
        }
      }
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Caps for {@link copyOut}: more files or bytes than these make it fail with EFBIG. */
export interface CopyLimits {
  maxFiles: number;
  maxBytes: number;
}

/** What {@link copyOut} copied and what it left out. */
export interface CopyTotals {
  files: number;
  bytes: number;
  /** Links, devices, FIFOs and sockets, which are never copied. */
  skipped: number;
}

const tooMuch = () => errnoError('over the copy limit', 'EFBIG');

/**
 * Copies the folders and regular files under `source` to the new trusted folder `destination` (which must not
 * exist), never following a link: links and other special files are skipped, and every file is opened with
 * O_NOFOLLOW beneath its open parent, so a link swapped in between listing and opening is refused, not copied.
 */
export async function copyOut(source: Dir, destination: string, limits?: CopyLimits): Promise<CopyTotals> {
  const totals: CopyTotals = { files: 0, bytes: 0, skipped: 0 };
  const visit = async (from: Dir, to: string): Promise<void> => {
    await mkdir(to, { mode: 0o755 });
    for (const { name, stats } of await from.entries()) {
      if (stats.isDirectory()) {
        const sub = await from.dir([name]).catch(err => {
          if (isNotBeneath(err)) {
            return undefined;
          }
          throw err;
        });
        if (!sub) {
          totals.skipped++;
          continue;
        }
        try {
          await visit(sub, join(to, name));
        } finally {
          await sub.close();
        }
      } else if (stats.isFile()) {
        await copyFile(from, name, join(to, name));
      } else {
        totals.skipped++;
      }
    }
  };
  const copyFile = async (from: Dir, name: string, to: string): Promise<void> => {
    const opened = await from.openFileIfAny(name);
    if (!opened) {
      totals.skipped++;
      return;
    }
    try {
      if (++totals.files > (limits?.maxFiles ?? Infinity)) {
        throw tooMuch();
      }
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          totals.bytes += chunk.length;
          done(limits && totals.bytes > limits.maxBytes ? tooMuch() : null, chunk);
        }
      });
      await pipeline(
        opened.handle.createReadStream({ autoClose: false }),
        counter,
        createWriteStream(to, { flags: 'wx', mode: 0o644 })
      );
    } finally {
      await opened.handle.close();
    }
  };
  await visit(source, destination);
  return totals;
}
