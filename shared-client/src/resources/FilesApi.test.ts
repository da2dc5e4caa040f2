import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError, PermissionError, ValidationError } from '../errors';
import { PrimeHubClient } from '../node/PrimeHubClient';
import { PrimeHubClient as BrowserClient } from '../PrimeHubClient';
import { readBody, startServer, TestServer } from '../testing/httpServer';
import { filesUrl, normalizePhfsPath, phfsUri, TransferProgress } from './FilesApi';

/** PHFS over GraphQL + REST, stored in memory, following storeCtrl/store resolver semantics. */
class FakePhfs {
  objects = new Map<string, Buffer>();
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; chunks?: number }> = [];
  listings: unknown[] = [];
  deletes: unknown[] = [];
  overrideItems?: Array<{ name: string; size: number }>;
  server!: TestServer;

  async start(): Promise<void> {
    this.server = await startServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/graphql') {
      const body = JSON.parse((await readBody(req)).toString()) as { operationName: string; variables: any };
      let data: unknown;
      if (body.operationName === 'EffectiveGroups') {
        data = { me: { effectiveGroups: [{ id: 'g-1', name: 'Team_A', displayName: 'Team A' }] } };
      } else if (body.operationName === 'files') {
        this.listings.push(body.variables);
        data = { files: this.list(body.variables.where.phfsPrefix, body.variables.options.recursive) };
      } else if (body.operationName === 'deleteFiles') {
        this.deletes.push(body.variables);
        data = { deleteFiles: 1 };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
      return;
    }
    const m = /^\/api\/files\/groups\/team-a(\/.*)$/.exec(url.pathname);
    const record: FakePhfs['requests'][number] = { method: req.method ?? '', url: url.pathname, headers: req.headers };
    this.requests.push(record);
    if (!m) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'NOT_AUTH', message: 'request not authorized' }));
      return;
    }
    const key = decodeURIComponent(m[1]);
    if (req.method === 'POST') {
      const parts: Buffer[] = [];
      for await (const c of req) {
        parts.push(c as Buffer);
      }
      record.chunks = parts.length;
      this.objects.set(key, Buffer.concat(parts));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"success":true}');
      return;
    }
    const obj = this.objects.get(key);
    if (!obj) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': obj.length });
    // several writes so the client sees a stream
    for (let i = 0; i < obj.length; i += 256 * 1024) {
      res.write(obj.subarray(i, i + 256 * 1024));
    }
    res.end();
  }

  private list(
    prefix: string,
    recursive: boolean
  ): { phfsPrefix: string; items: Array<{ name: string; size: number | null; lastModified: string | null }> } {
    if (this.overrideItems) {
      return { phfsPrefix: prefix, items: this.overrideItems.map(i => ({ ...i, lastModified: null })) };
    }
    const p = recursive ? prefix : prefix.endsWith('/') ? prefix : `${prefix}/`;
    const items = new Map<string, { name: string; size: number | null; lastModified: string | null }>();
    for (const [key, buf] of this.objects) {
      if (!key.startsWith(p)) {
        continue;
      }
      const rest = key.slice(p.length);
      if (!recursive && rest.includes('/')) {
        const dir = `${rest.split('/')[0]}/`;
        items.set(dir, { name: dir, size: null, lastModified: null });
      } else {
        items.set(rest, { name: rest, size: buf.length, lastModified: '2026-01-01T00:00:00Z' });
      }
    }
    return { phfsPrefix: prefix, items: [...items.values()] };
  }
}

describe('PHFS files', () => {
  let phfs: FakePhfs;
  let client: PrimeHubClient;
  let tmp: string;

  beforeEach(async () => {
    phfs = new FakePhfs();
    await phfs.start();
    client = new PrimeHubClient({
      endpoint: `${phfs.server.url}/api/graphql`,
      token: 'files-token',
      group: 'Team_A',
      proxy: false
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-files-'));
  });
  afterEach(async () => {
    await client.close();
    await phfs.server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads a large file streamed, with progress, to the group path', async () => {
    const local = path.join(tmp, 'model weights.bin');
    // more than 10 of the client's 1 MiB reads
    const data = randomBytes(12 * 1024 * 1024 + 123);
    fs.writeFileSync(local, data);
    const progress: TransferProgress[] = [];
    const remote = await client.files.uploadFile(local, '/models/v1/', { onProgress: p => progress.push(p) });
    expect(remote).toBe('/models/v1/model weights.bin');
    expect(phfs.objects.get('/models/v1/model weights.bin')?.equals(data)).toBe(true);
    const req = phfs.requests[0];
    expect(req.url).toBe('/api/files/groups/team-a/models/v1/model%20weights.bin');
    expect(req.headers.authorization).toBe('Bearer files-token');
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['content-length']).toBe(String(data.length));
    // streamed in chunks, never as one buffer
    expect(req.chunks).toBeGreaterThan(10);
    expect(progress.length).toBeGreaterThan(10);
    const bytes = progress.map(p => p.bytes);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(progress[progress.length - 1]).toMatchObject({
      bytes: data.length,
      totalBytes: data.length,
      filesDone: 1,
      filesTotal: 1
    });
  });

  it('downloads to a file atomically, with progress', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    phfs.objects.set('/data/train.csv', data);
    const progress: TransferProgress[] = [];
    const target = await client.files.downloadFile('phfs:///data/train.csv', tmp, {
      onProgress: p => progress.push(p)
    });
    expect(target).toBe(path.join(tmp, 'train.csv'));
    expect(fs.readFileSync(target).equals(data)).toBe(true);
    expect(fs.readdirSync(tmp)).toEqual(['train.csv']);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toMatchObject({ bytes: data.length, fileTotalBytes: data.length });
    expect(phfs.requests[0].headers.accept).toContain('application/json');
  });

  it('streams a download without touching the disk', async () => {
    phfs.objects.set('/a.txt', Buffer.from('hello'));
    const res = await client.files.download('/a.txt');
    const parts: Uint8Array[] = [];
    for await (const c of res.body) {
      parts.push(c);
    }
    expect(Buffer.concat(parts).toString()).toBe('hello');
    expect(res.size).toBe(5);
  });

  it('a missing file is NotFoundError and leaves no partial file', async () => {
    await expect(client.files.downloadFile('/nope.bin', path.join(tmp, 'x.bin'))).rejects.toBeInstanceOf(NotFoundError);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('uploads and downloads a directory tree', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'nested', 'deeper'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'A');
    fs.writeFileSync(path.join(src, 'nested', 'b.txt'), 'BB');
    fs.writeFileSync(path.join(src, 'nested', 'deeper', 'c d.txt'), 'CCC');
    const up: TransferProgress[] = [];
    const written = await client.files.uploadDirectory(src, '/proj', { onProgress: p => up.push(p) });
    expect(written).toEqual(['/proj/a.txt', '/proj/nested/b.txt', '/proj/nested/deeper/c d.txt']);
    expect(up[up.length - 1]).toMatchObject({ bytes: 6, totalBytes: 6, filesDone: 3, filesTotal: 3 });

    phfs.objects.set('/proj2/other.txt', Buffer.from('not included'));
    const dest = path.join(tmp, 'dest');
    const down: TransferProgress[] = [];
    const files = await client.files.downloadDirectory('/proj', dest, { onProgress: p => down.push(p) });
    expect(files.map(f => path.relative(dest, f))).toEqual([
      'a.txt',
      path.join('nested', 'b.txt'),
      path.join('nested', 'deeper', 'c d.txt')
    ]);
    expect(fs.readFileSync(path.join(dest, 'nested', 'deeper', 'c d.txt'), 'utf8')).toBe('CCC');
    expect(down[down.length - 1]).toMatchObject({ bytes: 6, totalBytes: 6, filesDone: 3, filesTotal: 3 });
    // recursive listings use a trailing slash so /proj2 is not swept in
    expect(phfs.listings[0]).toEqual({
      where: { phfsPrefix: '/proj/', groupName: 'Team_A' },
      options: { recursive: true, limit: 1000 }
    });
  });

  it('downloads only the files a filter picks (names relative to the folder)', async () => {
    phfs.objects.set('/art/out.txt', Buffer.from('out'));
    phfs.objects.set('/art/.metadata/expiredAt', Buffer.from('1700000000'));
    const dest = path.join(tmp, 'filtered');
    const names: string[] = [];
    const files = await client.files.downloadDirectory('/art', dest, {
      filter: name => {
        names.push(name);
        return !name.startsWith('.metadata/');
      }
    });
    expect(names.sort()).toEqual(['.metadata/expiredAt', 'out.txt']);
    expect(files).toEqual([path.join(dest, 'out.txt')]);
    expect(fs.existsSync(path.join(dest, '.metadata'))).toBe(false);
  });

  it('refuses listing names that would escape the target folder', async () => {
    phfs.overrideItems = [{ name: '../../evil.sh', size: 1 }];
    await expect(client.files.downloadDirectory('/x', path.join(tmp, 'd'))).rejects.toBeInstanceOf(ValidationError);
    expect(fs.existsSync(path.join(tmp, 'evil.sh'))).toBe(false);
  });

  it('lists with PHFS URIs and folder flags', async () => {
    phfs.objects.set('/dir/a.txt', Buffer.from('a'));
    phfs.objects.set('/dir/sub/b.txt', Buffer.from('b'));
    const entries = await client.files.list('/dir');
    expect(entries).toEqual([
      {
        name: 'a.txt',
        size: 1,
        lastModified: '2026-01-01T00:00:00Z',
        path: '/dir/a.txt',
        phfsUri: 'phfs:///dir/a.txt',
        isDirectory: false
      },
      {
        name: 'sub/',
        size: null,
        lastModified: null,
        path: '/dir/sub/',
        phfsUri: 'phfs:///dir/sub/',
        isDirectory: true
      }
    ]);
    expect(await client.files.isFile('/dir/a.txt')).toBe(true);
  });

  it('deletes with the SDK prefix rules', async () => {
    await client.files.delete('/dir', { recursive: true });
    await client.files.delete('/dir/a.txt');
    await client.files.delete('/', { recursive: true });
    expect(phfs.deletes).toEqual([
      { where: { phfsPrefix: 'dir/', groupName: 'Team_A' }, options: { recursive: true } },
      { where: { phfsPrefix: 'dir/a.txt', groupName: 'Team_A' }, options: { recursive: false } },
      { where: { phfsPrefix: '', groupName: 'Team_A' }, options: { recursive: true } }
    ]);
  });

  it('maps a REST 403 to PermissionError (signed in, not allowed there), not to signing in again', async () => {
    const other = new PrimeHubClient({
      endpoint: `${phfs.server.url}/api/graphql`,
      token: 't',
      group: 'Team_A',
      proxy: false
    });
    // a URL outside the group folder: the fake answers 403 like storeCtrl
    await expect(
      other.rest({ method: 'GET', url: `${phfs.server.url}/api/files/groups/other/x` })
    ).rejects.toBeInstanceOf(PermissionError);
    await other.close();
  });

  it('the browser build has no disk helpers, not even in its types', async () => {
    const browser = new BrowserClient({ endpoint: `${phfs.server.url}/api/graphql`, token: 't', group: 'Team_A' });
    for (const m of ['uploadFile', 'uploadDirectory', 'downloadFile', 'downloadDirectory']) {
      expect(m in browser.files).toBe(false);
    }
    expect('downloadArtifacts' in browser.jobs).toBe(false);
    // @ts-expect-error disk transfers are not part of the browser build's API
    expect(browser.files.uploadFile).toBeUndefined();
    // but buffered uploads work over fetch
    await browser.files.upload('/from-browser.txt', 'hi there');
    expect(phfs.objects.get('/from-browser.txt')?.toString()).toBe('hi there');
    const res = await browser.files.download('/from-browser.txt');
    let text = '';
    for await (const c of res.body) {
      text += Buffer.from(c).toString();
    }
    expect(text).toBe('hi there');
  });
});

describe('PHFS paths and URLs', () => {
  it('normalises paths and refuses traversal', () => {
    expect(normalizePhfsPath('a//b/./c')).toBe('/a/b/c');
    expect(normalizePhfsPath('phfs:///a/b/')).toBe('/a/b/');
    expect(normalizePhfsPath('')).toBe('/');
    expect(() => normalizePhfsPath('/a/../b')).toThrow(ValidationError);
    expect(phfsUri('x/y')).toBe('phfs:///x/y');
  });

  it('derives the files URL from the GraphQL endpoint like the SDK', () => {
    expect(filesUrl('https://ph.example.com/api/graphql', 'My_Group', '/a b/c#d.txt')).toBe(
      'https://ph.example.com/api/files/groups/my-group/a%20b/c%23d.txt'
    );
    expect(filesUrl('http://localhost:8888/proxy/primehub/api/graphql?x=1', 'g', 'f')).toBe(
      'http://localhost:8888/proxy/primehub/api/files/groups/g/f'
    );
  });
});
