import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { LocalServerProcess } from '../kit/localServer';
import { waitFor } from '../kit/wait';
import { gql, gqlOk, submitJob, waitForJob, fetchText } from '../kit/http';

const MB = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request with the path sent exactly as given (fetch would normalise `..` and `\`).
 * `body` may be a Buffer, or a function that writes the body and ends the request.
 */
function raw(
  server: LocalServerProcess,
  method: string,
  path: string,
  opts: { token?: string; headers?: Record<string, string>; body?: Buffer | string } = {}
): Promise<RawResponse> {
  const { hostname, port } = new URL(server.baseUrl);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        agent: false,
        headers: { authorization: `Bearer ${opts.token ?? server.token}`, accept: 'application/json', ...opts.headers }
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
        );
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const filesPath = (group: string, path: string): string => `/api/files/groups/${group}/${path}`;

/** A deterministic pseudo-random byte stream (AES-256-CTR keystream of a seed), produced a chunk at a time. */
function pseudoRandom(seed: string): (n: number) => Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return n => cipher.update(Buffer.alloc(n));
}

/** The resident set size of a process, in bytes, from /proc/<pid>/status. */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) {
    throw new Error(`no VmRSS for ${pid}`);
  }
  return Number(m[1]) * 1024;
}

/** Samples a process's RSS every few milliseconds; `stop()` returns the peak. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    }
  };
}

/** Streams `size` pseudo-random bytes as a raw upload body; returns the response and the sha256 of what was sent. */
async function streamUpload(
  server: LocalServerProcess,
  path: string,
  size: number,
  seed: string
): Promise<{ status: number; body: string; sha256: string }> {
  const { hostname, port } = new URL(server.baseUrl);
  const next = pseudoRandom(seed);
  const hash = createHash('sha256');
  const req = request({
    host: hostname,
    port,
    method: 'POST',
    path,
    agent: false,
    headers: { authorization: `Bearer ${server.token}`, accept: 'application/json', 'content-length': String(size) }
  });
  const response = new Promise<{ status: number; body: string }>((resolvePromise, reject) => {
    req.on('response', res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', c => (body += c));
      res.on('end', () => resolvePromise({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
  for (let sent = 0; sent < size; ) {
    const chunk = next(Math.min(MB, size - sent));
    hash.update(chunk);
    sent += chunk.length;
    if (!req.write(chunk)) {
      await Promise.race([once(req, 'drain'), response]);
    }
  }
  req.end();
  return { ...(await response), sha256: hash.digest('hex') };
}

/** Downloads a file, hashing it as it streams; never holds the body. */
async function streamDownload(
  server: LocalServerProcess,
  path: string
): Promise<{ status: number; bytes: number; sha256: string; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(server.baseUrl);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: 'GET',
        path,
        agent: false,
        headers: { authorization: `Bearer ${server.token}`, accept: 'application/json' }
      },
      res => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () =>
          resolvePromise({ status: res.statusCode!, bytes, sha256: hash.digest('hex'), headers: res.headers })
        );
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.end();
  });
}

/** Every file and folder under `root` with size and mtime, except the database (which any request may touch). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = `${rel}${name}`;
      if (rel === '' && name.startsWith('primehub.db')) {
        continue;
      }
      const st = lstatSync(path);
      if (st.isDirectory()) {
        out[`${key}/`] = 'dir';
        visit(path, `${key}/`);
      } else {
        out[key] = `${st.size}:${st.mtimeMs}`;
      }
    }
  };
  visit(root, '');
  return out;
}

const FILES_QUERY = `query ($where: StoreFileWhereInput!, $options: StoreFileListOptionInput) {
  files(where: $where, options: $options) { phfsPrefix prefix items { name size lastModified } } }`;
const DELETE_FILES = `mutation ($where: StoreFileWhereInput!, $options: StoreFileDeleteOptionInput) { deleteFiles(where: $where, options: $options) }`;

describe('PrimeHub Local PHFS files', () => {
  let server: LocalServerProcess;
  let outsiderToken: string;
  const secret = `top secret ${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    // A second group the default user is not in, with a file of its own.
    server.cli('group', 'add', 'other_team');
    server.cli('user', 'add', 'outsider', '--group', 'other_team');
    outsiderToken = server.cli('token', '--user', 'outsider');
    const up = await raw(server, 'POST', filesPath('other-team', 'secret.txt'), { token: outsiderToken, body: secret });
    expect(up.status).toBe(200);
  });

  afterAll(async () => {
    await server.dispose();
  });

  const upload = async (path: string, body: Buffer | string): Promise<void> => {
    const res = await raw(server, 'POST', filesPath('phusers', path), { body });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ success: true });
  };
  const download = (path: string, query = ''): Promise<RawResponse> =>
    raw(server, 'GET', `${filesPath('phusers', path)}${query}`);
  const files = (phfsPrefix: string, options?: { recursive?: boolean; limit?: number }, groupName = 'phusers') =>
    gql(server.endpoint, server.token, FILES_QUERY, { where: { phfsPrefix, groupName }, options });
  const listOk = async (phfsPrefix: string, options?: { recursive?: boolean; limit?: number }) => {
    const res = await files(phfsPrefix, options);
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.files as {
      phfsPrefix: string;
      prefix: string;
      items: { name: string; size: number | null; lastModified: string | null }[];
    };
  };
  const deleteFiles = (phfsPrefix: string, recursive: boolean, groupName = 'phusers') =>
    gql(server.endpoint, server.token, DELETE_FILES, { where: { phfsPrefix, groupName }, options: { recursive } });
  const stagingFiles = (): string[] => readdirSync(join(server.dataDir, 'phfs', '.staging'));

  test('a 200 MB upload and download round trip is byte-exact, streamed, with bounded server memory', async () => {
    const pid = server.pid!;
    // Warm the upload and download paths first so the baseline includes their code.
    await upload('big/warmup.bin', randomBytes(4 * MB));
    expect((await download('big/warmup.bin')).status).toBe(200);
    const size = 200 * MB;
    const baseline = rssOf(pid);

    let sampler = sampleRss(pid);
    const up = await streamUpload(server, filesPath('phusers', 'big/blob.bin'), size, 'files.test 200MB');
    const uploadPeak = sampler.stop();
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toEqual({ success: true });

    sampler = sampleRss(pid);
    const down = await streamDownload(server, filesPath('phusers', 'big/blob.bin'));
    const downloadPeak = sampler.stop();
    expect(down.status).toBe(200);
    expect(down.headers['content-length']).toBe(String(size));
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(down.bytes).toBe(size);
    expect(down.sha256).toBe(up.sha256);

    const listing = await listOk('/big/blob.bin', { recursive: true, limit: 1 });
    expect(listing.items).toEqual([{ name: '', size, lastModified: expect.any(String) }]);

    expect(uploadPeak - baseline).toBeLessThan(64 * MB);
    expect(downloadPeak - baseline).toBeLessThan(64 * MB);
    expect(stagingFiles()).toEqual([]);

    const removed = await deleteFiles('big/', true);
    expect(removed.body).toEqual({ data: { deleteFiles: 2 } });
  });

  test('every path traversal form is refused with 400/403 and touches nothing on disk', async () => {
    const groupDir = join(server.dataDir, 'phfs', 'groups', 'phusers');
    // Something worth stealing just outside the group's storage, and an object of our own.
    writeFileSync(join(server.dataDir, 'outside.txt'), secret);
    await upload('inside/mine.txt', 'mine');
    const before = snapshot(server.dataDir);

    const forms: [string, string][] = [
      ['phusers', '../other-team/secret.txt'],
      ['phusers', 'inside/../../other-team/secret.txt'],
      ['phusers', '../../../outside.txt'],
      ['phusers', 'inside/../mine.txt'],
      ['phusers', './inside/mine.txt'],
      ['phusers', '%2e%2e/other-team/secret.txt'],
      ['phusers', '%2E%2E/other-team/secret.txt'],
      ['phusers', '.%2e/other-team/secret.txt'],
      ['phusers', '%2e./%2e%2e/%2e%2e/outside.txt'],
      ['phusers', 'inside%2f..%2f..%2fother-team%2fsecret.txt'],
      ['phusers', '..%2fother-team%2fsecret.txt'],
      ['phusers', '..%2F..%2F..%2Foutside.txt'],
      ['phusers', 'inside/mine.txt%00.png'],
      ['phusers', '%00'],
      ['phusers', '/etc/passwd'],
      ['phusers', '//etc/passwd'],
      ['phusers', 'inside//mine.txt'],
      ['phusers', '..\\other-team\\secret.txt'],
      ['phusers', 'inside\\..\\..\\other-team\\secret.txt'],
      ['phusers', '..%5cother-team%5csecret.txt'],
      ['phusers', '..%5C..%5C..%5Coutside.txt'],
      ['phusers', '../../../graphql'],
      ['phusers', '..\\..\\..\\graphql'],
      ['phusers', '../../../health'],
      ['phusers', 'bad%zzescape'],
      // The group path itself.
      ['..', 'phusers/inside/mine.txt'],
      ['%2e%2e', 'other-team/secret.txt'],
      ['phusers%2f..%2fother-team', 'secret.txt'],
      ['phusers%2F..%2Fother-team', 'secret.txt'],
      ['phusers\\..\\other-team', 'secret.txt'],
      ['', 'etc/passwd'],
      ['PHUSERS', 'inside/mine.txt'],
      ['other-team', 'secret.txt'],
      ['other_team', 'secret.txt'],
      ['no-such-group', 'anything.txt']
    ];
    for (const [group, path] of forms) {
      const url = `/api/files/groups/${group}/${path}`;
      const get = await raw(server, 'GET', url);
      expect({ url, refused: [400, 403].includes(get.status) }).toEqual({ url, refused: true });
      expect(get.body.toString()).not.toContain(secret);
      expect(get.body.toString()).not.toContain('mine');
      const marker = `pwned-${randomBytes(4).toString('hex')}`;
      const postUrl = `${url}${path.endsWith('/') ? '' : '-'}${marker}`;
      // A body that would also pass for a GraphQL request, should the path be routed elsewhere.
      const post = await raw(server, 'POST', postUrl, {
        body: JSON.stringify({ query: '{ me { id } }' }),
        headers: { 'content-type': 'application/json' }
      });
      expect({ postUrl, refused: [400, 403].includes(post.status) }).toEqual({ postUrl, refused: true });
      // Where a naive server would have written it.
      const naive = resolve(
        groupDir,
        decodeURIComponent(`${path}-${marker}`.replace(/%00/g, '').replace(/%zz/g, '')).replace(/\\/g, '/')
      );
      expect(existsSync(naive)).toBe(false);
    }
    // Another group's path is refused as a whole, with 403 (as on PrimeHub).
    expect((await raw(server, 'GET', filesPath('other-team', 'secret.txt'))).status).toBe(403);
    expect((await raw(server, 'GET', filesPath('no-such-group', 'secret.txt'))).status).toBe(403);
    expect((await raw(server, 'POST', filesPath('other-team', 'secret.txt'), { body: 'overwritten' })).status).toBe(
      403
    );

    expect(snapshot(server.dataDir)).toEqual(before);
    // The other group's object is untouched and still served to its members.
    const theirs = await raw(server, 'GET', filesPath('other-team', 'secret.txt'), { token: outsiderToken });
    expect(theirs.status).toBe(200);
    expect(theirs.body.toString()).toBe(secret);
    // GraphQL prefixes are checked the same way.
    for (const prefix of ['/../other-team', '../../outside.txt', '/inside/../..', 'inside\\..\\..']) {
      for (const recursive of [false, true]) {
        const res = await files(prefix, { recursive });
        expect(res.body.errors?.[0].extensions.code).toBe('REQUEST_BODY_INVALID');
        const del = await deleteFiles(prefix, recursive);
        expect(del.body.errors?.[0].extensions.code).toBe('REQUEST_BODY_INVALID');
      }
    }
    expect(snapshot(server.dataDir)).toEqual(before);
  });

  test('requests without a valid token are refused', async () => {
    const res = await raw(server, 'GET', filesPath('phusers', 'inside/mine.txt'), { token: 'not-a-token' });
    expect(res.status).toBe(403);
    const post = await raw(server, 'POST', filesPath('phusers', 'inside/new.txt'), { token: 'not-a-token', body: 'x' });
    expect(post.status).toBe(403);
    expect((await download('inside/new.txt')).status).toBe(404);
  });

  /** Sends headers claiming `declared` bytes, then only `sent` bytes, then cuts the connection. */
  async function truncatedUpload(
    path: string,
    declared: number,
    sent: number,
    cut: 'reset' | 'half-close'
  ): Promise<void> {
    const { hostname, port } = new URL(server.baseUrl);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    // Read whatever the server answers, so its close is seen.
    socket.resume();
    socket.write(
      `POST ${filesPath('phusers', path)} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${server.token}\r\n` +
        `Accept: application/json\r\nContent-Length: ${declared}\r\n\r\n`
    );
    socket.write(pseudoRandom(path)(sent));
    // Cut only once the server is busy writing the upload into its staging area.
    await waitFor('the upload to be staged', () => stagingFiles().some(f => f.startsWith('upload-')));
    if (cut === 'reset') {
      socket.resetAndDestroy();
    } else {
      socket.end();
    }
    await waitFor('the connection to close', () => socket.destroyed);
    // The server notices and removes the partial upload.
    await waitFor('the staging area to be cleaned', () => stagingFiles().length === 0);
  }

  test('a truncated upload leaves no file and does not replace an existing one', async () => {
    const original = randomBytes(256 * 1024);
    await upload('trunc/existing.bin', original);

    for (const cut of ['reset', 'half-close'] as const) {
      await truncatedUpload(`trunc/new-${cut}.bin`, 4 * MB, 1 * MB, cut);
      expect((await download(`trunc/new-${cut}.bin`)).status).toBe(404);

      await truncatedUpload('trunc/existing.bin', 4 * MB, 2 * MB, cut);
      const after = await download('trunc/existing.bin');
      expect(after.status).toBe(200);
      expect(after.body.equals(original)).toBe(true);
    }
    const listing = await listOk('/trunc/', { recursive: true });
    expect(listing.items.map(i => [i.name, i.size])).toEqual([['existing.bin', original.length]]);
    expect(stagingFiles()).toEqual([]);
  });

  test('an upload that breaks off into a new folder leaves no folder behind', async () => {
    await truncatedUpload('broken/new/deeper/file.bin', 4 * MB, 1 * MB, 'reset');
    expect(existsSync(join(server.dataDir, 'phfs', 'groups', 'phusers', 'broken'))).toBe(false);
    expect((await listOk('/', { recursive: false })).items.map(i => i.name)).not.toContain('broken/');
  });

  test('a 256-byte file or folder name is a 400 with a message, and creates nothing', async () => {
    for (const path of [`long/${'n'.repeat(256)}`, `${'d'.repeat(256)}/file.txt`, `long/${'é'.repeat(128)}`]) {
      const res = await raw(server, 'POST', filesPath('phusers', encodeURI(path)), { body: 'x' });
      expect([path.slice(0, 8), res.status]).toEqual([path.slice(0, 8), 400]);
      expect(JSON.parse(res.body.toString())).toEqual({
        code: 'REQUEST_BODY_INVALID',
        message: expect.stringContaining('longer than 255 bytes')
      });
      expect((await download(encodeURI(path))).status).toBe(400);
    }
    expect(existsSync(join(server.dataDir, 'phfs', 'groups', 'phusers', 'long'))).toBe(false);
    expect(stagingFiles()).toEqual([]);
  });

  test('uploading "d/r" and "d/r/child" at the same time gives one a 409, never a 500', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const [file, child] = await Promise.all([
        raw(server, 'POST', filesPath('phusers', `race${i}/r`), { body: randomBytes(64 * 1024) }),
        raw(server, 'POST', filesPath('phusers', `race${i}/r/child`), { body: randomBytes(64 * 1024) })
      ]);
      for (const res of [file, child]) {
        statuses.add(res.status);
        expect([i, res.status, res.status === 200 || res.status === 409]).toEqual([i, res.status, true]);
        if (res.status === 409) {
          expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'RESOURCE_CONFLICT' });
        }
      }
      // Whichever won is whole; the other left nothing.
      const listing = (await listOk(`/race${i}/`, { recursive: true })).items.map(item => item.name);
      expect([i, listing]).toEqual([i, file.status === 200 ? ['r'] : ['r/child']]);
    }
    expect(stagingFiles()).toEqual([]);
    expect((await deleteFiles('race', true)).body.errors).toBeUndefined();
  });

  test('a missing object is a 404 with an empty body; a folder is not an object', async () => {
    await upload('folder/inner.txt', 'x');
    for (const path of ['no-such-file.txt', 'folder', 'folder/nope/deeper.txt', 'folder/inner.txt/below']) {
      const res = await download(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body.length).toBe(0);
    }
  });

  test('downloads carry Content-Type from the extension and, with ?download=1, Content-Disposition', async () => {
    const cases: [string, string][] = [
      ['types/report.csv', 'text/csv'],
      ['types/data.json', 'application/json'],
      ['types/notes.txt', 'text/plain'],
      ['types/image.png', 'image/png'],
      ['types/nb.ipynb', 'application/x-ipynb+json'],
      ['types/archive.tar.gz', 'application/gzip'],
      ['types/weird.unknownext', 'application/octet-stream'],
      ['types/Makefile', 'application/octet-stream']
    ];
    for (const [path, type] of cases) {
      await upload(path, `content of ${path}`);
      const res = await download(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']?.split(';')[0]).toBe(type);
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(`content of ${path}`)));
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body.toString()).toBe(`content of ${path}`);
    }
    const attached = await download('types/report.csv', '?download=1');
    expect(attached.status).toBe(200);
    expect(attached.headers['content-disposition']).toMatch(/^attachment; filename="report\.csv"/);
    expect(attached.body.toString()).toBe('content of types/report.csv');

    await upload('types/my%20r%C3%A9sum%C3%A9.pdf', 'pdf');
    const named = await download('types/my%20r%C3%A9sum%C3%A9.pdf', '?download=1');
    expect(named.headers['content-type']).toBe('application/pdf');
    expect(named.headers['content-disposition']).toMatch(
      /^attachment; filename="my r_sum_\.pdf"; filename\*=UTF-8''my%20r%C3%A9sum%C3%A9\.pdf$/
    );
    // Other values of `download` do not make it an attachment.
    expect((await download('types/report.csv', '?download=0')).headers['content-disposition']).toBeUndefined();
  });

  test('active types (HTML, SVG, XML, JavaScript) are always attachments and never sniffed, so they cannot run in the browser', async () => {
    const script = '<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/graphql")</script></svg>';
    const cases: [string, string][] = [
      ['active/page.html', 'text/html'],
      ['active/pic.svg', 'image/svg+xml'],
      ['active/doc.xhtml', 'application/xhtml+xml'],
      ['active/feed.xml', 'application/xml'],
      ['active/app.js', 'text/javascript'],
      ['active/p%C3%A4ge.html', 'text/html']
    ];
    for (const [path, type] of cases) {
      await upload(path, script);
      const name = decodeURIComponent(path.split('/')[1]);
      const res = await download(path);
      expect([path, res.status, res.headers['content-type']?.split(';')[0]]).toEqual([path, 200, type]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const disposition = res.headers['content-disposition'] ?? '';
      expect([path, disposition.startsWith('attachment; filename="')]).toEqual([path, true]);
      expect([path, disposition.endsWith(`; filename*=UTF-8''${encodeURIComponent(name)}`)]).toEqual([path, true]);
      expect(res.body.toString()).toBe(script);
    }
    // Error answers of the file route are not sniffed either.
    expect((await download('active/missing.html')).headers['x-content-type-options']).toBe('nosniff');
  });

  test('uploads overwrite silently and create folders implicitly', async () => {
    await upload('over/a/b/c.txt', 'first');
    await upload('over/a/b/c.txt', 'second, longer');
    const res = await download('over/a/b/c.txt');
    expect(res.body.toString()).toBe('second, longer');
    const top = await listOk('/over', { recursive: false });
    expect(top.items).toEqual([{ name: 'a/', size: null, lastModified: null }]);
    // A file cannot become a folder, nor a folder a file.
    expect((await raw(server, 'POST', filesPath('phusers', 'over/a/b/c.txt/d.txt'), { body: 'x' })).status).toBe(409);
    expect((await raw(server, 'POST', filesPath('phusers', 'over/a/b'), { body: 'x' })).status).toBe(409);
    expect((await download('over/a/b/c.txt')).body.toString()).toBe('second, longer');
  });

  test('GraphQL files lists one level, or recursively by raw prefix, as PrimeHub does (§8.1)', async () => {
    await upload('list/a.txt', 'aaa');
    await upload('list/b.csv', 'b,c\n');
    await upload('list/sub/c.txt', 'c');
    await upload('list/sub/deeper/d.txt', 'dddd');
    await upload('list2/e.txt', 'ee');
    await upload('listing.txt', 'l');

    // Non-recursive: one level; a "/" is prepended and appended; folders are `sub/` without size.
    for (const prefix of ['/list', 'list', '/list/', 'list/']) {
      const level = await listOk(prefix, { recursive: false, limit: 1000 });
      expect(level.prefix).toBe('groups/phusers/list/');
      expect(level.items).toEqual([
        { name: 'a.txt', size: 3, lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) },
        { name: 'b.csv', size: 4, lastModified: expect.any(String) },
        { name: 'sub/', size: null, lastModified: null }
      ]);
    }
    expect((await listOk('/list/sub')).items.map(i => i.name)).toEqual(['c.txt', 'deeper/']);

    // Recursive: every object under the raw prefix, names relative to it.
    const under = await listOk('/list/', { recursive: true });
    expect(under.prefix).toBe('groups/phusers/list/');
    expect(under.items.map(i => [i.name, i.size]).sort()).toEqual([
      ['a.txt', 3],
      ['b.csv', 4],
      ['sub/c.txt', 1],
      ['sub/deeper/d.txt', 4]
    ]);
    // No "/" is appended: `/list` also matches `/list2/...` and `/listing.txt`.
    const rawPrefix = await listOk('/list', { recursive: true });
    expect(rawPrefix.prefix).toBe('groups/phusers/list');
    expect(rawPrefix.items.map(i => i.name).sort()).toEqual([
      '/a.txt',
      '/b.csv',
      '/sub/c.txt',
      '/sub/deeper/d.txt',
      '2/e.txt',
      'ing.txt'
    ]);
    // An exact file path gives one item named "" (how the SDK tells a file from a folder).
    const exact = await listOk('/list/a.txt', { recursive: true, limit: 1 });
    expect(exact.items).toEqual([{ name: '', size: 3, lastModified: expect.any(String) }]);
    expect((await listOk('/list/a.txt', { recursive: false, limit: 1 })).items).toEqual([]);
    expect((await listOk('/list', { recursive: false, limit: 1 })).items).toHaveLength(1);

    // limit; 0 counts as "not given".
    expect((await listOk('/list/', { recursive: true, limit: 2 })).items).toHaveLength(2);
    expect((await listOk('/list/', { recursive: false, limit: 1 })).items.map(i => i.name)).toEqual(['a.txt']);
    expect((await listOk('/list/', { recursive: true, limit: 0 })).items).toHaveLength(4);
    expect((await listOk('/list/', { recursive: true })).items).toHaveLength(4);

    // Nothing there: an empty list, not an error.
    expect((await listOk('/no/such/folder', { recursive: false })).items).toEqual([]);
    expect((await listOk('/no/such/folder', { recursive: true })).items).toEqual([]);

    // The root.
    const root = (await listOk('/', { recursive: false })).items.map(i => i.name);
    expect(root).toEqual(expect.arrayContaining(['list/', 'list2/', 'listing.txt']));
    expect((await listOk('', { recursive: false })).items.map(i => i.name)).toEqual(root);
  });

  test('GraphQL deleteFiles removes by raw prefix when recursive, the exact object otherwise, and returns the count (§8.2)', async () => {
    await upload('dir/x.txt', 'x');
    await upload('dir/y/z.txt', 'z');
    await upload('dir2/keep.txt', 'keep');
    await upload('dirfile.txt', 'f');

    expect((await deleteFiles('dir/', true)).body).toEqual({ data: { deleteFiles: 2 } });
    expect((await download('dir/x.txt')).status).toBe(404);
    expect((await download('dir/y/z.txt')).status).toBe(404);
    expect((await download('dir2/keep.txt')).body.toString()).toBe('keep');
    expect((await download('dirfile.txt')).body.toString()).toBe('f');
    // Folders are implicit: an emptied folder is gone from the listing.
    const root = (await listOk('/', { recursive: false })).items.map(i => i.name);
    expect(root).not.toContain('dir/');
    expect(root).toEqual(expect.arrayContaining(['dir2/', 'dirfile.txt']));
    expect((await deleteFiles('dir/', true)).body).toEqual({ data: { deleteFiles: 0 } });

    // Non-recursive removes exactly one object, never a folder.
    expect((await deleteFiles('dir2', false)).body).toEqual({ data: { deleteFiles: 0 } });
    expect((await deleteFiles('dir2/', false)).body).toEqual({ data: { deleteFiles: 0 } });
    expect((await download('dir2/keep.txt')).status).toBe(200);
    expect((await deleteFiles('dirfile.txt', false)).body).toEqual({ data: { deleteFiles: 1 } });
    expect((await download('dirfile.txt')).status).toBe(404);
    expect((await deleteFiles('dirfile.txt', false)).body).toEqual({ data: { deleteFiles: 0 } });
    // With a leading slash it means the same.
    expect((await deleteFiles('/dir2/keep.txt', false)).body).toEqual({ data: { deleteFiles: 1 } });
    expect((await download('dir2/keep.txt')).status).toBe(404);
  });

  test("another group's files are NOT_AUTH through GraphQL and untouched", async () => {
    for (const groupName of ['other_team', 'no_such_group']) {
      for (const recursive of [false, true]) {
        const list = await files('/', { recursive }, groupName);
        expect(list.status).toBe(200);
        expect(list.body.errors).toEqual([{ message: 'user not auth', extensions: { code: 'NOT_AUTH' } }]);
        const del = await deleteFiles('', recursive, groupName);
        expect(del.body.errors).toEqual([{ message: 'user not auth', extensions: { code: 'NOT_AUTH' } }]);
      }
    }
    const theirs = await raw(server, 'GET', filesPath('other-team', 'secret.txt'), { token: outsiderToken });
    expect(theirs.body.toString()).toBe(secret);
    // Their own member sees it.
    const listing = await gqlOk(server.endpoint, outsiderToken, FILES_QUERY, {
      where: { phfsPrefix: '/', groupName: 'other_team' },
      options: { recursive: true }
    });
    expect(listing.files.prefix).toBe('groups/other-team/');
    expect(listing.files.items.map((i: { name: string }) => i.name)).toEqual(['secret.txt']);
  });

  test('symbolic links in PHFS are never followed: not listed, not descended into, deleted as the link itself', async () => {
    const groups = join(server.dataDir, 'phfs', 'groups');
    // What a job could leave behind: links to a folder outside, to a file outside, to another group, within the group.
    const elsewhere = mkdtempSync(join(tmpdir(), 'phl-elsewhere-'));
    mkdirSync(join(elsewhere, 'sub'));
    writeFileSync(join(elsewhere, 'outside-1.txt'), secret);
    writeFileSync(join(elsewhere, 'sub', 'outside-2.txt'), secret);
    const outsideTree = snapshot(elsewhere);
    await upload('nest/real/kept.txt', 'kept');
    await upload('nest-sibling.txt', 'sibling');
    symlinkSync(elsewhere, join(groups, 'phusers', 'link'));
    symlinkSync(join(elsewhere, 'outside-1.txt'), join(groups, 'phusers', 'nest', 'to-file.txt'));
    symlinkSync('real', join(groups, 'phusers', 'nest', 'to-real'));
    symlinkSync('../phusers', join(groups, 'other-team', 'toA'));
    const outsider = (query: string, variables: Record<string, unknown>) =>
      gql(server.endpoint, outsiderToken, query, variables);
    const names = (res: Awaited<ReturnType<typeof files>>) =>
      (res.body.data!.files as { items: { name: string }[] }).items.map(i => i.name);

    try {
      // Listings show neither the links nor anything behind them.
      for (const recursive of [false, true]) {
        for (const prefix of ['/link/', '/link', 'link/sub/', '/nest/to-real/', '/nest/to-file.txt']) {
          const res = await files(prefix, { recursive });
          expect({ prefix, recursive, items: names(res) }).toEqual({ prefix, recursive, items: [] });
        }
        const mine = names(await files('/nest/', { recursive }));
        expect({ recursive, mine }).toEqual({ recursive, mine: recursive ? ['real/kept.txt'] : ['real/'] });
        const all = await files('/', { recursive });
        expect(JSON.stringify(all.body)).not.toMatch(/outside-|to-file|to-real|"link\/?"/);
        for (const prefix of ['/toA/', '/toA', '/']) {
          const theirs = await outsider(FILES_QUERY, {
            where: { phfsPrefix: prefix, groupName: 'other_team' },
            options: { recursive }
          });
          expect([prefix, names(theirs)]).toEqual([prefix, prefix === '/' ? ['secret.txt'] : []]);
        }
      }
      // Downloads refuse them, whether they point in or out of the group.
      for (const path of [
        'link/outside-1.txt',
        'link/sub/outside-2.txt',
        'nest/to-file.txt',
        'nest/to-real/kept.txt'
      ]) {
        const res = await download(path);
        expect([path, res.status, res.body.length]).toEqual([path, 404, 0]);
      }
      expect(
        (await raw(server, 'GET', filesPath('other-team', 'toA/nest/real/kept.txt'), { token: outsiderToken })).status
      ).toBe(404);

      // Deleting through a link deletes nothing.
      for (const prefix of ['/link/', 'link/sub/', '/nest/to-real/', '/link/outside-1.txt']) {
        for (const recursive of [false, true]) {
          expect([prefix, recursive, (await deleteFiles(prefix, recursive)).body]).toEqual([
            prefix,
            recursive,
            { data: { deleteFiles: 0 } }
          ]);
        }
      }
      for (const prefix of ['/toA/', '/toA/nest/', '/toA/nest/real/kept.txt']) {
        for (const recursive of [false, true]) {
          const del = await outsider(DELETE_FILES, {
            where: { phfsPrefix: prefix, groupName: 'other_team' },
            options: { recursive }
          });
          expect([prefix, recursive, del.body]).toEqual([prefix, recursive, { data: { deleteFiles: 0 } }]);
        }
      }
      expect(snapshot(elsewhere)).toEqual(outsideTree);
      expect((await download('nest/real/kept.txt')).body.toString()).toBe('kept');

      // Uploads onto a link replace the link; uploads through one are refused.
      expect((await raw(server, 'POST', filesPath('phusers', 'link/sub/new.txt'), { body: 'x' })).status).toBe(409);
      expect((await raw(server, 'POST', filesPath('phusers', 'nest/to-real/new.txt'), { body: 'x' })).status).toBe(409);
      expect(
        (await raw(server, 'POST', filesPath('other-team', 'toA/nest/new.txt'), { token: outsiderToken, body: 'x' }))
          .status
      ).toBe(409);
      await upload('nest/to-file.txt', 'replaced');
      expect(lstatSync(join(groups, 'phusers', 'nest', 'to-file.txt')).isFile()).toBe(true);
      expect((await download('nest/to-file.txt')).body.toString()).toBe('replaced');
      expect(snapshot(elsewhere)).toEqual(outsideTree);

      // The link itself is deleted: exactly, or under a recursive prefix; its target stays.
      expect((await deleteFiles('/link', false)).body).toEqual({ data: { deleteFiles: 1 } });
      expect(existsSync(join(groups, 'phusers', 'link'))).toBe(false);
      expect((await deleteFiles('/nest/', true)).body).toEqual({ data: { deleteFiles: 3 } });
      expect(existsSync(join(groups, 'phusers', 'nest'))).toBe(false);
      const del = await outsider(DELETE_FILES, { where: { phfsPrefix: '/toA', groupName: 'other_team' }, options: {} });
      expect(del.body).toEqual({ data: { deleteFiles: 1 } });
      expect(existsSync(join(groups, 'other-team', 'toA'))).toBe(false);
      expect((await download('nest-sibling.txt')).body.toString()).toBe('sibling');
      expect(snapshot(elsewhere)).toEqual(outsideTree);
    } finally {
      rmSync(join(groups, 'phusers', 'link'), { force: true });
      rmSync(join(groups, 'other-team', 'toA'), { force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('jobs read and write PHFS ($PRIMEHUB_PHFS_PATH) and the group volume ($PRIMEHUB_GROUP_VOLUME_PATH), visible over REST and across jobs', async () => {
    await upload('job-io/input.txt', 'hello from the notebook\n');
    const writer = await submitJob(server.endpoint, server.token, {
      groupId: server.groupId,
      displayName: 'phfs-writer',
      command: [
        'set -e',
        'tr a-z A-Z < "$PRIMEHUB_PHFS_PATH/job-io/input.txt" > "$PRIMEHUB_PHFS_PATH/job-io/output.txt"',
        'mkdir -p "$PRIMEHUB_PHFS_PATH/job-io/deep/er" && echo nested > "$PRIMEHUB_PHFS_PATH/job-io/deep/er/n.txt"',
        'echo "volume note from $PHJOB_NAME" > "$PRIMEHUB_GROUP_VOLUME_PATH/note.txt"',
        'echo wrote'
      ].join('\n')
    });
    const done = await waitForJob(server.endpoint, server.token, writer.id);
    expect([done.phase, done.message]).toEqual(['Succeeded', 'Job completed']);

    expect((await download('job-io/output.txt')).body.toString()).toBe('HELLO FROM THE NOTEBOOK\n');
    expect((await download('job-io/deep/er/n.txt')).body.toString()).toBe('nested\n');
    const listing = await listOk('/job-io', { recursive: false });
    expect(listing.items.map(i => i.name)).toEqual(['deep/', 'input.txt', 'output.txt']);

    // A later job finds what the first left in the group volume and PHFS.
    const reader = await submitJob(server.endpoint, server.token, {
      groupId: server.groupId,
      displayName: 'phfs-reader',
      command: [
        'set -e',
        'cat "$PRIMEHUB_GROUP_VOLUME_PATH/note.txt"',
        'cat "$PRIMEHUB_PHFS_PATH/job-io/output.txt"',
        'cp "$PRIMEHUB_GROUP_VOLUME_PATH/note.txt" "$PRIMEHUB_PHFS_PATH/job-io/note-copy.txt"'
      ].join('\n')
    });
    const read = await waitForJob(server.endpoint, server.token, reader.id);
    expect(read.phase).toBe('Succeeded');
    const log = await fetchText(`${read.logEndpoint}?follow=false`, server.token);
    expect(log.text).toContain(`volume note from ${writer.id}\n`);
    expect(log.text).toContain('HELLO FROM THE NOTEBOOK\n');
    expect((await download('job-io/note-copy.txt')).body.toString()).toBe(`volume note from ${writer.id}\n`);
    // The group volume lives in the data directory, outside PHFS.
    expect(readFileSync(join(server.dataDir, 'volumes', 'phusers', 'note.txt'), 'utf8')).toBe(
      `volume note from ${writer.id}\n`
    );
  });
});

describe('PrimeHub Local PHFS upload limit', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start({ args: ['--max-upload-mb', '1'] });
  });

  afterAll(async () => {
    await server.dispose();
  });

  const stagingFiles = (): string[] => readdirSync(join(server.dataDir, 'phfs', '.staging'));

  /** Sends an upload of `size` bytes (with or without Content-Length) and resolves on the response. */
  function send(path: string, size: number, declare: boolean): Promise<RawResponse> {
    const { hostname, port } = new URL(server.baseUrl);
    return new Promise((resolvePromise, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${server.token}`, accept: 'application/json' };
      if (declare) {
        headers['content-length'] = String(size);
      }
      const req = request(
        { host: hostname, port, method: 'POST', path: filesPath('phusers', path), agent: false, headers },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            req.destroy();
            resolvePromise({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) });
          });
        }
      );
      req.on('error', reject);
      if (declare && size > MB) {
        // The declared length alone is refused: the body is never needed.
        req.flushHeaders();
        return;
      }
      // Chunked: the server only learns the size by counting; the request is left open once the body is sent.
      req.write(pseudoRandom(path)(size));
      if (size <= MB) {
        req.end();
      }
    });
  }

  test('an upload over the limit is refused with 413 and nothing is written', async () => {
    const keep = randomBytes(1000);
    const ok = await raw(server, 'POST', filesPath('phusers', 'keep.bin'), { body: keep });
    expect(ok.status).toBe(200);

    for (const declare of [true, false]) {
      for (const path of ['too-big.bin', 'keep.bin']) {
        const res = await send(path, MB + 64 * 1024, declare);
        expect([declare, path, res.status]).toEqual([declare, path, 413]);
        expect(JSON.parse(res.body.toString())).toEqual({
          code: 'REQUEST_BODY_INVALID',
          message: `upload exceeds the limit of ${MB} bytes`
        });
      }
      await waitFor('the staging area to be cleaned', () => stagingFiles().length === 0);
      expect((await raw(server, 'GET', filesPath('phusers', 'too-big.bin'))).status).toBe(404);
      const kept = await raw(server, 'GET', filesPath('phusers', 'keep.bin'));
      expect(kept.body.equals(keep)).toBe(true);
    }
    const listing = await gqlOk(server.endpoint, server.token, FILES_QUERY, {
      where: { phfsPrefix: '/', groupName: 'phusers' },
      options: { recursive: true }
    });
    expect(listing.files.items.map((i: { name: string }) => i.name)).toEqual(['keep.bin']);
  });

  test('an upload of exactly the limit is accepted', async () => {
    for (const declare of [true, false]) {
      const res = await send(`exact-${declare}.bin`, MB, declare);
      expect(res.status).toBe(200);
      const back = await raw(server, 'GET', filesPath('phusers', `exact-${declare}.bin`));
      expect(back.body.equals(pseudoRandom(`exact-${declare}.bin`)(MB))).toBe(true);
    }
  });
});
