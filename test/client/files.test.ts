import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync
} from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConflictError, NotFoundError, PrimeHubClient, type TransferProgress } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, removeDir, tempDir, tree, unique } from './support';

const MiB = 1024 * 1024;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** `size` bytes of a repeated 4 MiB random block, written without holding them in memory. */
function makeFile(file: string, size: number): void {
  const block = randomFillSync(Buffer.alloc(4 * MiB));
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      done += writeSync(fd, block, 0, Math.min(block.length, size - done));
    }
  } finally {
    closeSync(fd);
  }
}

/** Checks a progress sequence: bytes never go back and the last report is the whole transfer. */
function expectProgress(events: TransferProgress[], total: number, files: number): void {
  expect(events.length).toBeGreaterThan(0);
  for (let i = 1; i < events.length; i++) {
    expect(events[i].bytes).toBeGreaterThanOrEqual(events[i - 1].bytes);
  }
  expect(events[events.length - 1]).toMatchObject({
    bytes: total,
    totalBytes: total,
    filesDone: files,
    filesTotal: files
  });
}

/** The garbage collector, so that memory measurements count what is held, not what awaits collection. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

/**
 * Samples this process's RSS every 10 ms while `fn` runs and returns the growth over the starting
 * RSS. Young garbage is collected every 50 ms: on its own, V8 lets tens of MB of spent chunk buffers
 * pile up before collecting them, which would swamp what a transfer really holds.
 */
async function rssGrowth(fn: () => Promise<void>): Promise<number> {
  gc();
  const start = process.memoryUsage().rss;
  let peak = start;
  let ticks = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (++ticks % 5 === 0) {
      gc({ type: 'minor' });
    }
  }, 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}

/** PHFS through the client: streamed transfers with progress, listings, deletion, aborts. */
describe('client: files (PHFS)', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let work: string;

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    client = await clientFor(server);
    work = tempDir('files');
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
    removeDir(work);
  });

  test('iterate walks a tree past the 1,000-entry listing cap, lazily, folder by folder', async () => {
    const root = unique('wide');
    // written straight into PrimeHub Local's PHFS storage: 1,100 uploads would only slow the test
    const store = join(server.dataDir, 'phfs', 'groups', server.groupName.replace(/_/g, '-').toLowerCase(), root);
    mkdirSync(join(store, 'big'), { recursive: true });
    mkdirSync(join(store, 'x', 'y'), { recursive: true });
    const names = Array.from({ length: 1100 }, (_, i) => `big/f${String(i).padStart(4, '0')}.txt`);
    for (const n of names) {
      writeFileSync(join(store, n), 'x');
    }
    writeFileSync(join(store, 'x', 'y', 'z.txt'), 'deep');
    writeFileSync(join(store, 'top.txt'), 'top');

    expect(await client.files.listRecursive(`/${root}`)).toHaveLength(1000); // the server's cap
    const all = await collect(client.files.iterate(`/${root}`));
    expect(all.map(e => e.name).sort()).toEqual([...names, 'top.txt', 'x/y/z.txt'].sort());
    expect(all.find(e => e.name === 'x/y/z.txt')).toMatchObject({ path: `/${root}/x/y/z.txt`, size: 4 });
    const level = await collect(client.files.iterate(`/${root}`, { recursive: false }));
    expect(level.map(e => e.name).sort()).toEqual(['big/', 'top.txt', 'x/']);

    // a single folder past what one listing may hold is an error naming it, never a silent cut
    mkdirSync(join(store, 'huge'));
    for (let i = 0; i < 10_000; i++) {
      writeFileSync(join(store, 'huge', `h${i}`), '');
    }
    await expect(collect(client.files.iterate(`/${root}/huge`))).rejects.toThrow(
      new RegExp(`PHFS folder /${root}/huge/ holds 10000 entries or more`)
    );
  });

  test('a file round trip with progress reaching the total', async () => {
    const dir = unique('single');
    const local = join(work, 'data set.bin');
    writeFileSync(local, randomBytes(3 * MiB + 123));
    const up: TransferProgress[] = [];
    const remote = await client.files.uploadFile(local, `/${dir}/`, { onProgress: p => up.push(p) });
    expect(remote).toBe(`/${dir}/data set.bin`);
    expectProgress(up, 3 * MiB + 123, 1);
    expect(up.length).toBeGreaterThan(2);

    const back = join(work, 'back.bin');
    const down: TransferProgress[] = [];
    expect(await client.files.downloadFile(remote, back, { onProgress: p => down.push(p) })).toBe(back);
    expect(readFileSync(back).equals(readFileSync(local))).toBe(true);
    expect(down[down.length - 1]).toMatchObject({ bytes: 3 * MiB + 123, totalBytes: 3 * MiB + 123 });
    // into a folder: the remote base name is kept
    const into = join(work, 'into');
    mkdirSync(into);
    expect(await client.files.downloadFile(remote, into)).toBe(join(into, 'data set.bin'));

    // text, bytes and async iterables upload too; download streams without touching the disk
    await client.files.upload(`/${dir}/note.txt`, 'héllo PHFS\n');
    await client.files.upload(`/${dir}/raw.bin`, new Uint8Array([0, 1, 2, 255]));
    await client.files.upload(
      `/${dir}/chunks.txt`,
      (async function* () {
        for (let i = 0; i < 5; i++) {
          yield Buffer.from(`chunk ${i}\n`);
        }
      })()
    );
    const note = await client.files.download(`/${dir}/note.txt`);
    expect(note.size).toBe(Buffer.byteLength('héllo PHFS\n'));
    expect(note.contentType).toMatch(/^text\/plain/);
    expect(Buffer.concat(await collect(note.body)).toString()).toBe('héllo PHFS\n');
    expect([...Buffer.concat(await collect((await client.files.download(`/${dir}/raw.bin`)).body))]).toEqual([
      0, 1, 2, 255
    ]);
    expect(Buffer.concat(await collect((await client.files.download(`/${dir}/chunks.txt`)).body)).toString()).toBe(
      'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n'
    );
    // an abandoned download frees its connection
    const abandoned = await client.files.download(remote);
    await abandoned.cancel();
  });

  test('a directory tree round trip with progress, listings, isFile, phfsUri and deletion', async () => {
    const root = unique('tree');
    const src = join(work, 'src');
    const files: Record<string, Buffer> = {
      'README.md': Buffer.from('# project\n'),
      'empty.txt': Buffer.alloc(0),
      'data/train.csv': Buffer.from('x,y\n1,2\n'),
      'data/images/cat 1.png': randomBytes(70_000),
      'data/images/ünïcödé ✓.bin': randomBytes(1_234),
      'models/v1/model.pkl': randomBytes(500_000)
    };
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(join(src, name, '..'), { recursive: true });
      writeFileSync(join(src, name), bytes);
    }
    const total = Object.values(files).reduce((a, b) => a + b.length, 0);
    const names = Object.keys(files).sort();

    const up: TransferProgress[] = [];
    const written = await client.files.uploadDirectory(src, `/${root}`, { onProgress: p => up.push(p) });
    expect([...written].sort()).toEqual(names.map(n => `/${root}/${n}`).sort());
    expectProgress(up, total, names.length);
    // a sibling whose name starts the same way must survive the recursive delete below
    await client.files.upload(`/${root}-sibling/keep.txt`, 'keep');

    const top = await client.files.list(`/${root}`);
    expect(top.map(e => [e.name, e.isDirectory])).toEqual([
      ['README.md', false],
      ['data/', true],
      ['empty.txt', false],
      ['models/', true]
    ]);
    expect(top.find(e => e.name === 'README.md')).toMatchObject({
      path: `/${root}/README.md`,
      phfsUri: `phfs:///${root}/README.md`,
      size: 10
    });
    expect(top.find(e => e.name === 'data/')).toMatchObject({ path: `/${root}/data/`, size: null });
    const all = await client.files.listRecursive(`/${root}`);
    expect(all.map(e => e.name).sort()).toEqual(names);
    expect(all.find(e => e.name === 'models/v1/model.pkl')?.size).toBe(500_000);
    expect((await client.files.listRecursive(`/${root}`, { limit: 2 })).length).toBe(2);
    expect(client.files.phfsUri(`/${root}/models/v1`)).toBe(`phfs:///${root}/models/v1`);

    expect(await client.files.isFile(`/${root}/models/v1/model.pkl`)).toBe(true);
    expect(await client.files.isFile(`/${root}/models/v1`)).toBe(false);
    expect(await client.files.isFile(`/${root}/nothing.txt`)).toBe(false);

    const dest = join(work, 'dest');
    const down: TransferProgress[] = [];
    await client.files.downloadDirectory(`/${root}`, dest, { onProgress: p => down.push(p) });
    expect(tree(dest)).toEqual(names);
    for (const [name, bytes] of Object.entries(files)) {
      expect(readFileSync(join(dest, name)).equals(bytes)).toBe(true);
    }
    expectProgress(down, total, names.length);

    // uploading over a folder is refused
    await expect(client.files.upload(`/${root}/data`, 'x')).rejects.toThrow(ConflictError);

    expect(await client.files.delete(`/${root}/README.md`)).toBe(1);
    expect(await client.files.isFile(`/${root}/README.md`)).toBe(false);
    // without recursive, a folder is not a file: nothing is removed
    expect(await client.files.delete(`/${root}/data`)).toBe(0);
    expect(await client.files.delete(`/${root}/data`, { recursive: true })).toBe(3);
    expect((await client.files.list(`/${root}`)).map(e => e.name)).toEqual(['empty.txt', 'models/']);
    expect(await client.files.delete(`/${root}`, { recursive: true })).toBe(2);
    expect(await client.files.listRecursive(`/${root}`)).toEqual([]);
    expect((await client.files.listRecursive(`/${root}-sibling`)).map(e => e.name)).toEqual(['keep.txt']);
    await expect(client.files.download(`/${root}/empty.txt`)).rejects.toThrow(NotFoundError);
  });

  test('a 160 MiB file streams up and down with bounded client memory', async () => {
    const size = 160 * MiB + 17;
    const big = join(work, 'big.bin');
    makeFile(big, size);
    const remote = `/${unique('big')}/big.bin`;
    // warm-up (not measured): the first transfer's one-time allocations are not what streaming holds
    const warm = join(work, 'warm.bin');
    makeFile(warm, 16 * MiB);
    await client.files.uploadFile(warm, `${remote}.warm`);
    await client.files.downloadFile(`${remote}.warm`, `${warm}.back`);
    const up: TransferProgress[] = [];
    const upGrowth = await rssGrowth(async () => {
      await client.files.uploadFile(big, remote, { onProgress: p => up.push(p) });
    });
    expect(up[up.length - 1]).toMatchObject({ bytes: size, totalBytes: size, filesDone: 1 });
    expect(statSync(join(server.dataDir, 'phfs', 'groups', server.groupName, ...remote.split('/'))).size).toBe(size);

    const back = join(work, 'big-back.bin');
    let last: TransferProgress | undefined;
    const downGrowth = await rssGrowth(async () => {
      await client.files.downloadFile(remote, back, { onProgress: p => (last = p) });
    });
    expect(last).toMatchObject({ bytes: size, totalBytes: size });
    expect(statSync(back).size).toBe(size);
    expect(await sha256(back)).toBe(await sha256(big));
    // streamed both ways: nowhere near the file's size is held in memory
    expect(upGrowth).toBeLessThan(64 * MiB);
    expect(downGrowth).toBeLessThan(64 * MiB);
  });

  test('an upload aborted midway leaves no file, and does not replace an existing one', async () => {
    const big = join(work, 'abort.bin');
    makeFile(big, 96 * MiB);
    const dir = unique('aborted');
    const staging = join(server.dataDir, 'phfs', '.staging');

    for (const target of [`/${dir}/new.bin`, `/${dir}/existing.bin`]) {
      if (target.endsWith('existing.bin')) {
        await client.files.upload(target, 'the old content');
      }
      const ac = new AbortController();
      const reason = new Error('user pressed cancel');
      let sent = 0;
      const upload = client.files.uploadFile(big, target, {
        signal: ac.signal,
        onProgress: p => {
          sent = p.bytes;
          if (p.bytes >= 8 * MiB) {
            ac.abort(reason);
          }
        }
      });
      await expect(upload).rejects.toBe(reason);
      expect(sent).toBeLessThan(96 * MiB);
      // the server notices the broken request and removes its staged copy
      const until = Date.now() + 5_000;
      while (readdirSync(staging).length > 0 && Date.now() < until) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(readdirSync(staging)).toEqual([]);
    }
    expect(await client.files.isFile(`/${dir}/new.bin`)).toBe(false);
    expect((await client.files.listRecursive(`/${dir}`)).map(e => e.name)).toEqual(['existing.bin']);
    const kept = await client.files.download(`/${dir}/existing.bin`);
    expect(Buffer.concat(await collect(kept.body)).toString()).toBe('the old content');
    expect(existsSync(join(server.dataDir, 'phfs', 'groups', server.groupName, dir, 'new.bin'))).toBe(false);
  });

  test('a download aborted midway rejects with the caller reason and leaves no partial file', async () => {
    const dir = unique('dl-abort');
    const big = join(work, 'dl-abort.bin');
    makeFile(big, 64 * MiB);
    await client.files.uploadFile(big, `/${dir}/big.bin`);
    await client.files.upload(`/${dir}/small.txt`, 'small');
    const dest = tempDir('dl-abort');
    try {
      const abortAt = (bytes: number) => {
        const ac = new AbortController();
        const reason = new Error('download cancelled');
        const onProgress = (p: TransferProgress): void => {
          if (p.bytes >= bytes) {
            ac.abort(reason);
          }
        };
        return { reason, opts: { signal: ac.signal, onProgress } };
      };
      const one = abortAt(8 * MiB);
      await expect(client.files.downloadFile(`/${dir}/big.bin`, join(dest, 'big.bin'), one.opts)).rejects.toBe(
        one.reason
      );
      expect(readdirSync(dest)).toEqual([]);
      // a tree: big.bin comes first, so the abort lands in the middle of it
      const tree = abortAt(8 * MiB);
      await expect(client.files.downloadDirectory(`/${dir}`, join(dest, 'tree'), tree.opts)).rejects.toBe(tree.reason);
      expect(existsSync(join(dest, 'tree')) ? readdirSync(join(dest, 'tree')) : []).toEqual([]);
    } finally {
      removeDir(dest);
    }
  });
});
