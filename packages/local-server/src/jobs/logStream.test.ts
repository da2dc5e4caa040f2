import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { streamLog, type LogStreamOptions } from './logStream';

/** A writable that keeps what it receives; `delayMs` makes it slow, to exercise backpressure. */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  writes = 0;

  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 16 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.writes++;
    if (this.delayMs > 0) {
      setTimeout(done, this.delayMs);
    } else {
      done();
    }
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The runner's side of a log: the closed flag and change notifications. */
function logSource() {
  const listeners = new Set<() => void>();
  let closed = false;
  const abort = new AbortController();
  const notify = (): void => listeners.forEach(l => l());
  const opts = (extra: Partial<LogStreamOptions> = {}): LogStreamOptions => ({
    follow: false,
    isClosed: () => closed,
    onChange: listener => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signal: abort.signal,
    ...extra
  });
  return {
    opts,
    notify,
    close: () => {
      closed = true;
      notify();
    },
    abort: () => abort.abort(),
    get listeners() {
      return listeners.size;
    }
  };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Resolves once `p` settles, or reports that it has not (without waiting for it). */
async function settled(p: Promise<unknown>, withinMs: number): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true)
  );
  const until = Date.now() + withinMs;
  while (!done && Date.now() < until) {
    await new Promise(r => setTimeout(r, 10));
  }
  return done;
}

const lines = (from: number, to: number): string => {
  let s = '';
  for (let i = from; i <= to; i++) {
    s += `line ${i}\n`;
  }
  return s;
};

describe('streamLog', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-logstream-'));
    file = join(dir, 'job.log');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function read(content: string, tailLines?: number): Promise<string> {
    writeFileSync(file, content);
    const out = new Collector();
    await streamLog(file, out, logSource().opts({ tailLines }));
    return out.text;
  }

  describe('tailLines', () => {
    test('without tailLines the whole log is served', async () => {
      expect(await read('a\nb\nc\n')).toBe('a\nb\nc\n');
    });

    test.each([
      ['a\nb\nc\n', 1, 'c\n'],
      ['a\nb\nc\n', 2, 'b\nc\n'],
      ['a\nb\nc\n', 3, 'a\nb\nc\n'],
      ['a\nb\nc\n', 10, 'a\nb\nc\n'],
      ['a\nb\nc\n', 0, ''],
      // A final line without a newline is a line.
      ['a\nb\nc', 1, 'c'],
      ['a\nb\nc', 2, 'b\nc'],
      ['a\nb\nc', 3, 'a\nb\nc'],
      // Empty lines count.
      ['a\n\n\nb\n', 2, '\nb\n'],
      ['a\n\n\nb\n', 3, '\n\nb\n'],
      ['\n', 1, '\n'],
      ['single', 1, 'single'],
      ['', 5, '']
    ])('%j with tailLines=%i gives %j', async (content, tail, expected) => {
      expect(await read(content, tail)).toBe(expected);
    });

    test('tailLines across 64 KiB read chunks is exact', async () => {
      const content = lines(1, 20_000); // ~200 KB: several chunks
      expect(Buffer.byteLength(content)).toBeGreaterThan(3 * 64 * 1024);
      expect(await read(content, 1)).toBe('line 20000\n');
      expect(await read(content, 15_000)).toBe(lines(5001, 20_000));
      expect(await read(content, 19_999)).toBe(lines(2, 20_000));
      expect(await read(content, 20_000)).toBe(content);
      expect(await read(content, 50_000)).toBe(content);
    });

    test('a newline exactly on a chunk boundary is handled', async () => {
      // The first line ends exactly at a 64 KiB boundary counted from the end.
      const long = 'x'.repeat(64 * 1024 - 1);
      const content = `first\n${long}\nlast\n`;
      expect(await read(content, 1)).toBe('last\n');
      expect(await read(content, 2)).toBe(`${long}\nlast\n`);
      expect(await read(content, 3)).toBe(content);
    });

    test('multi-byte UTF-8 text is passed through unchanged', async () => {
      expect(await read('ä\n日本語\n🙂 done\n', 2)).toBe('日本語\n🙂 done\n');
    });
  });

  test('a missing log (job not started yet) is empty without follow', async () => {
    const out = new Collector();
    const src = logSource();
    await streamLog(join(dir, 'missing.log'), out, src.opts({ tailLines: 10 }));
    expect(out.text).toBe('');
    expect(src.listeners).toBe(0);
  });

  describe('follow', () => {
    test('streams a growing log and ends once the log is closed', async () => {
      writeFileSync(file, lines(1, 3));
      const out = new Collector();
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true }));
      await waitFor('the existing lines', () => out.text === lines(1, 3));
      for (let i = 4; i <= 40; i++) {
        appendFileSync(file, `line ${i}\n`);
        if (i % 2 === 0) {
          // Every other line is announced by the runner; the others are found by watching the file.
          src.notify();
        }
        if (i % 10 === 0) {
          await waitFor(`line ${i}`, () => out.text.endsWith(`line ${i}\n`));
        }
      }
      expect(await settled(done, 50)).toBe(false);
      // The last bytes are written right before the log is closed: they must not be lost.
      appendFileSync(file, 'final words\n');
      src.close();
      await done;
      expect(out.text).toBe(`${lines(1, 40)}final words\n`);
      expect(src.listeners).toBe(0);
    });

    test('follows from the tail when tailLines is given', async () => {
      writeFileSync(file, lines(1, 100));
      const out = new Collector();
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true, tailLines: 2 }));
      await waitFor('the tail', () => out.text === lines(99, 100));
      appendFileSync(file, lines(101, 105));
      src.notify();
      await waitFor('new lines', () => out.text === lines(99, 105));
      src.close();
      await done;
      expect(out.text).toBe(lines(99, 105));
    });

    test('ends at once for a log that is already closed', async () => {
      writeFileSync(file, lines(1, 5));
      const out = new Collector();
      const src = logSource();
      src.close();
      await streamLog(file, out, src.opts({ follow: true }));
      expect(out.text).toBe(lines(1, 5));
    });

    test('waits for a log that does not exist yet (job still pending)', async () => {
      const out = new Collector();
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true }));
      expect(await settled(done, 100)).toBe(false);
      writeFileSync(file, 'started\n');
      src.notify();
      await waitFor('the first line', () => out.text === 'started\n');
      appendFileSync(file, 'working\n');
      // No notification this time: the follower finds the new bytes on its own.
      await waitFor('the second line', () => out.text === 'started\nworking\n');
      src.close();
      await done;
      expect(out.text).toBe('started\nworking\n');
    });

    test('a closed job whose log never appeared ends with an empty body', async () => {
      const out = new Collector();
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true }));
      expect(await settled(done, 100)).toBe(false);
      src.close();
      await done;
      expect(out.text).toBe('');
    });

    test('stops when the client goes away (abort)', async () => {
      writeFileSync(file, 'one\n');
      const out = new Collector();
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true }));
      await waitFor('the first line', () => out.text === 'one\n');
      src.abort();
      expect(await settled(done, 5000)).toBe(true);
      await done;
      appendFileSync(file, 'two\n');
      src.notify();
      expect(out.text).toBe('one\n');
      expect(src.listeners).toBe(0);
    });

    test('respects backpressure from a slow reader and delivers every byte in order', async () => {
      const content = lines(1, 30_000); // ~300 KB
      writeFileSync(file, content.slice(0, 100_000));
      const out = new Collector(1);
      const src = logSource();
      const done = streamLog(file, out, src.opts({ follow: true }));
      appendFileSync(file, content.slice(100_000));
      src.close();
      await done;
      expect(out.text).toBe(content);
      // One write per 64 KiB read at most: memory stays bounded by a chunk.
      expect(out.writes).toBeLessThanOrEqual(Math.ceil(content.length / (64 * 1024)) + 2);
    });
  });
});
