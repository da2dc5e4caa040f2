import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyOut, Dir, isNotBeneath } from './beneath';

describe('beneath: files under a folder, never through a link', () => {
  let root: string;
  let outside: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'beneath-'));
    outside = mkdtempSync(join(tmpdir(), 'beneath-outside-'));
    writeFileSync(join(outside, 'secret'), 'SECRET');
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'b', 'f.txt'), 'inside');
    symlinkSync(outside, join(root, 'a', 'out'));
    symlinkSync(join(outside, 'secret'), join(root, 'a', 'secret'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: NodeJS.ErrnoException) => err.code
    );

  test('folders and files open through real folders only; a link anywhere is refused', async () => {
    await Dir.using(Dir.open(root), async top => {
      await Dir.using(top.dir(['a', 'b']), async b => {
        const { handle, stats } = await b.openFile('f.txt');
        expect(stats.size).toBe(6);
        expect((await handle.readFile()).toString()).toBe('inside');
        await handle.close();
      });
      expect(await code(top.dir(['a', 'out']))).toMatch(/^(ELOOP|ENOTDIR)$/);
      expect(await code(top.dir(['a', 'b', 'f.txt']))).toBe('ENOTDIR');
      expect(await code(top.dir(['a', 'missing']))).toBe('ENOENT');
      await Dir.using(top.dir(['a']), async a => {
        expect(await code(a.openFile('secret'))).toBe('ELOOP');
        expect(await code(a.openFile('b'))).toBe('EISDIR');
        expect((await a.lstat('secret'))?.isSymbolicLink()).toBe(true);
        expect((await a.entries()).map(e => e.name)).toEqual(['b', 'out', 'secret']);
      });
    });
    expect(await code(Dir.open(join(root, 'a', 'out')))).toMatch(/^(ELOOP|ENOTDIR)$/);
    expect(isNotBeneath(Object.assign(new Error(), { code: 'ELOOP' }))).toBe(true);
  });

  test('openFileIfAny: no regular file to serve is undefined, a file opens', async () => {
    execFileSync('mkfifo', [join(root, 'a', 'fifo')]);
    await Dir.using(Dir.open(join(root, 'a')), async a => {
      for (const name of ['secret', 'b', 'fifo', 'missing', 'x'.repeat(300)]) {
        expect(await a.openFileIfAny(name)).toBeUndefined();
      }
    });
    await Dir.using(Dir.open(join(root, 'a', 'b')), async b => {
      const opened = await b.openFileIfAny('f.txt');
      expect(opened?.stats.size).toBe(6);
      await opened?.handle.close();
    });
  });

  test('a FIFO is refused at once, not waited on', async () => {
    execFileSync('mkfifo', [join(root, 'a', 'fifo')]);
    await Dir.using(Dir.open(join(root, 'a')), async a => {
      expect(await code(a.openFile('fifo'))).toBe('EINVAL');
    });
  });

  test('an open folder keeps working beneath itself after it is swapped for a link', async () => {
    await Dir.using(Dir.open(root), async top => {
      await Dir.using(top.dir(['a', 'b']), async b => {
        // The folder moves away and a link to the outside takes its place: the handle still names the real folder.
        renameSync(join(root, 'a', 'b'), join(root, 'a', 'moved'));
        symlinkSync(outside, join(root, 'a', 'b'));
        expect((await b.entries()).map(e => e.name)).toEqual(['f.txt']);
        await b.unlink('f.txt');
        expect(readdirSync(join(root, 'a', 'moved'))).toEqual([]);
        expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('SECRET');
      });
    });
  });

  test('mkdirs makes missing folders and refuses a link or a file on the way', async () => {
    await Dir.using(Dir.open(root), async top => {
      const made = await top.mkdirs(['a', 'new', 'deeper']);
      expect(made.created).toBe(2);
      await made.dir.close();
      expect(lstatSync(join(root, 'a', 'new', 'deeper')).isDirectory()).toBe(true);
      expect(await code(top.mkdirs(['a', 'out', 'x']))).toMatch(/^(ELOOP|ENOTDIR)$/);
      expect(await code(top.mkdirs(['a', 'b', 'f.txt', 'x']))).toBe('ENOTDIR');
    });
    expect(existsSync(join(outside, 'x'))).toBe(false);
  });

  test('removeTree removes links as links and never what they point to', async () => {
    await Dir.using(Dir.open(root), top => top.removeTree('a'));
    expect(readdirSync(root)).toEqual([]);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('SECRET');
    await Dir.using(Dir.open(root), top => top.removeTree('gone'));
  });

  test('copyOut copies folders and regular files only, within its limits', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'beneath-copy-')), 'out');
    try {
      const totals = await Dir.using(Dir.open(root), top => copyOut(top, dest));
      expect(totals).toEqual({ files: 1, bytes: 6, skipped: 2 });
      expect(readFileSync(join(dest, 'a', 'b', 'f.txt'), 'utf8')).toBe('inside');
      expect(readdirSync(join(dest, 'a')).sort()).toEqual(['b']);
      rmSync(dest, { recursive: true });
      expect(await code(Dir.using(Dir.open(root), top => copyOut(top, dest, { maxFiles: 10, maxBytes: 5 })))).toBe(
        'EFBIG'
      );
    } finally {
      rmSync(join(dest, '..'), { recursive: true, force: true });
    }
  });
});
