import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { fetchText, gqlOk, submitJob, waitForJob } from '../kit/http';

/**
 * Attacks on the host through links a job leaves in the folders it controls (its home, its group's PHFS), and
 * through a folder a job swaps for a link while the server works in it.
 */

/** A host process swapping two paths (a folder and a link) with renameat2(RENAME_EXCHANGE) as fast as it can. */
const SWAPPER = `
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = sys.argv[1].encode(), sys.argv[2].encode()
n = 0
def stop(*_):
    print(n, flush=True)
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    if libc.renameat2(-100, a, -100, b, 2) != 0:
        print('renameat2 failed:', os.strerror(ctypes.get_errno()), flush=True)
        sys.exit(1)
    n += 1
    if n == 1:
        print('ready', flush=True)
`;

/** A Python with ctypes: Debian's, else the repository's virtualenv. */
function python(): string {
  const found = ['/usr/bin/python3', join(REPO_ROOT, '.venv', 'bin', 'python')].find(p => existsSync(p));
  if (!found) {
    throw new Error('the race tests need /usr/bin/python3 or the .venv python (run scripts/bootstrap.mjs)');
  }
  return found;
}

/** Starts swapping `a` and `b`; resolves once the first swap is done. `stop()` returns how many swaps were made. */
async function startSwapper(a: string, b: string): Promise<{ stop(): Promise<number> }> {
  const child: ChildProcess = spawn(python(), ['-c', SWAPPER, a, b], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = (await once(lines, 'line'))[0] as string;
  if (first !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`the swapper did not start: ${first}`);
  }
  return {
    async stop() {
      const count = once(lines, 'line');
      child.kill('SIGTERM');
      const [line] = (await count) as [string];
      await once(child, 'exit').catch(() => undefined);
      return Number(line);
    }
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Requests over keep-alive connections (at most `sockets` at once), as a busy client would make them. */
function client(server: LocalServerProcess, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(server.baseUrl);
  const send = (method: string, path: string, token: string, body?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: hostname,
          port,
          method,
          path,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
          }
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        }
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** Runs `attempt(0..count-1)` with `concurrency` in flight at once. */
async function hammer(count: number, concurrency: number, attempt: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        await attempt(next++);
      }
    })
  );
}

/** Every regular file under `dir` (never following links), as path → content. */
function filesUnder(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        visit(join(d, e.name));
      } else if (e.isFile()) {
        found.set(join(d, e.name), readFileSync(join(d, e.name), 'utf8'));
      }
    }
  };
  visit(dir);
  return found;
}

describe('PrimeHub Local never follows a link on the host', () => {
  let server: LocalServerProcess;
  let tokenB: string;
  let groupB: string;
  let groups: string;
  const secretA = 'SECRET-OF-GROUP-A';

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    server.cli('group', 'add', 'team_b');
    server.cli('user', 'add', 'userb', '--group', 'team_b');
    tokenB = server.cli('token', '--user', 'userb');
    const me = await gqlOk(server.endpoint, tokenB, '{ me { effectiveGroups { id name } } }');
    groupB = me.me.effectiveGroups.find((g: { name: string }) => g.name === 'team_b').id;
    groups = join(server.dataDir, 'phfs', 'groups');
    // Group A (phusers, the default user's) has a secret in PHFS; group B's PHFS exists.
    mkdirSync(join(groups, 'phusers', 'private'), { recursive: true });
    writeFileSync(join(groups, 'phusers', 'private', 'secret'), secretA);
    mkdirSync(join(groups, 'team-b'), { recursive: true });
  });

  afterAll(async () => {
    await server.dispose();
  });

  test("a job's artifacts that link to the data directory, another group's PHFS or a folder publish none of their targets", async () => {
    const token = JSON.parse(readFileSync(join(server.dataDir, 'config.json'), 'utf8'))['api-token'] as string;
    const job = await submitJob(server.endpoint, tokenB, {
      groupId: groupB,
      command: [
        'mkdir -p artifacts/sub',
        `ln -s ${join(server.dataDir, 'config.json')} artifacts/A-config.json`,
        `ln -s ${join(groups, 'phusers', 'private', 'secret')} artifacts/sub/theirs`,
        `ln -s ${join(groups, 'phusers', 'private')} artifacts/folder`,
        'echo mine > artifacts/mine.txt',
        "echo '<script>alert(1)</script>' > artifacts/page.html"
      ].join(' && ')
    });
    const done = await waitForJob(server.endpoint, tokenB, job.id);
    expect(done.phase).toBe('Succeeded');
    expect(done.artifact.items.map((i: { name: string }) => i.name).sort()).toEqual(['mine.txt', 'page.html']);
    const published = filesUnder(join(groups, 'team-b', 'jobArtifacts', job.id));
    for (const content of published.values()) {
      expect(content).not.toContain(token);
      expect(content).not.toContain(secretA);
    }
    expect(
      [...published.keys()].map(p => p.slice(join(groups, 'team-b', 'jobArtifacts', job.id).length)).sort()
    ).toEqual(['/.metadata/expiredAt', '/mine.txt', '/page.html']);
    // Artifact downloads get the same headers as any PHFS download: never sniffed, active types as attachments.
    const base = `/api/files/groups/team-b/jobArtifacts/${job.id}`;
    const api = client(server, 1);
    try {
      for (const name of ['A-config.json', 'sub/theirs', 'folder/secret']) {
        expect([name, (await api.send('GET', `${base}/${name}`, tokenB)).status]).toEqual([name, 404]);
      }
      const page = await api.send('GET', `${base}/page.html`, tokenB);
      expect(page.status).toBe(200);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['content-disposition']).toMatch(/^attachment; filename="page\.html"/);
    } finally {
      api.close();
    }
    // The job's home (with its links) is gone; what the links pointed to is not.
    expect(existsSync(join(server.dataDir, 'jobs', job.id, 'home'))).toBe(false);
    expect(readFileSync(join(groups, 'phusers', 'private', 'secret'), 'utf8')).toBe(secretA);
    expect(statSync(join(server.dataDir, 'config.json')).isFile()).toBe(true);
    const log = await fetchText(`${done.logEndpoint}?follow=false`, tokenB);
    expect(log.text).toMatch(/Artifacts: \(2 files \/ [\d.]+ MB\) uploaded/);
  });

  describe("a job swapping a folder of its PHFS with a link to group A's folder (renameat2 RENAME_EXCHANGE in a loop)", () => {
    const folderA = () => join(groups, 'phusers', 'swap');
    const folderB = () => join(groups, 'team-b', 'swap');
    const linkB = () => join(groups, 'team-b', 'swap-link');
    let swapper: { stop(): Promise<number> } | undefined;

    beforeEach(async () => {
      mkdirSync(folderA(), { recursive: true });
      writeFileSync(join(folderA(), 'secret'), secretA);
      writeFileSync(join(folderA(), 'victim.txt'), secretA);
      mkdirSync(folderB(), { recursive: true });
      writeFileSync(join(folderB(), 'secret'), 'B');
      writeFileSync(join(folderB(), 'victim.txt'), 'B');
      symlinkSync(folderA(), linkB());
      swapper = await startSwapper(folderB(), linkB());
    });

    afterEach(async () => {
      const swaps = await swapper?.stop();
      swapper = undefined;
      // The race really ran: the folder and the link changed places over and over.
      expect(swaps).toBeGreaterThan(1000);
      rmSync(join(groups, 'team-b', 'swap'), { recursive: true, force: true });
      rmSync(linkB(), { recursive: true, force: true });
      rmSync(folderA(), { recursive: true, force: true });
    });

    test("10,000 downloads of swap/secret as user B never return group A's bytes", async () => {
      const api = client(server, 8);
      const outcomes = new Map<string, number>();
      try {
        await hammer(10_000, 8, async () => {
          const res = await api.send('GET', '/api/files/groups/team-b/swap/secret', tokenB);
          const key = res.body.toString() === secretA ? 'A' : `${res.status} ${res.body.toString()}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        });
      } finally {
        api.close();
      }
      expect(outcomes.get('A') ?? 0).toBe(0);
      // Only B's own file, or a 404 while the folder was a link.
      expect([...outcomes.keys()].filter(k => k !== '200 B' && k !== '404 ')).toEqual([]);
      expect(outcomes.get('200 B')).toBeGreaterThan(0);
    });

    test("10,000 uploads into swap/ as user B never land in group A's folder", async () => {
      const api = client(server, 8);
      const statuses = new Map<number, number>();
      try {
        await hammer(10_000, 8, async i => {
          const res = await api.send('POST', `/api/files/groups/team-b/swap/up-${i}.txt`, tokenB, 'from B');
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        });
      } finally {
        api.close();
      }
      expect(readdirSync(folderA()).sort()).toEqual(['secret', 'victim.txt']);
      // Accepted while swap/ was B's folder, refused (409: through a link) while it was the link.
      expect([...statuses.keys()].filter(s => s !== 200 && s !== 409)).toEqual([]);
      expect(statuses.get(200)).toBeGreaterThan(0);
    });

    test("2,000 deletes of swap/victim.txt as user B never delete group A's file", async () => {
      const api = client(server, 8);
      const mutation = JSON.stringify({
        query: `mutation ($where: StoreFileWhereInput!, $options: StoreFileDeleteOptionInput) { deleteFiles(where: $where, options: $options) }`,
        variables: { where: { phfsPrefix: '/swap/victim.txt', groupName: 'team_b' }, options: { recursive: false } }
      });
      const recursive = JSON.stringify({
        query: `mutation ($where: StoreFileWhereInput!, $options: StoreFileDeleteOptionInput) { deleteFiles(where: $where, options: $options) }`,
        variables: { where: { phfsPrefix: '/swap/v', groupName: 'team_b' }, options: { recursive: true } }
      });
      try {
        await hammer(2_000, 8, async i => {
          const res = await api.send('POST', '/api/graphql', tokenB, i % 2 ? recursive : mutation);
          expect(res.status).toBe(200);
        });
      } finally {
        api.close();
      }
      expect(readFileSync(join(folderA(), 'victim.txt'), 'utf8')).toBe(secretA);
      expect(readdirSync(folderA()).sort()).toEqual(['secret', 'victim.txt']);
    });
  });
});

describe('groups never share storage', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await LocalServerProcess.start();
  });

  afterAll(async () => {
    await server.dispose();
  });

  test('adding Team-X after team_x (both PHFS groups/team-x) fails with the reason, and nothing is shared', async () => {
    server.cli('group', 'add', 'team_x');
    for (const name of ['Team-X', 'TEAM_X', 'team-x']) {
      expect(() => server.cli('group', 'add', name)).toThrow(
        /group "[^"]+" would share the storage of group "team_x" \(PHFS folder groups\/team-x\): choose another name/
      );
    }
    expect(() => server.cli('user', 'add', 'x', '--group', 'Team-X')).toThrow(/does not exist/);
    expect(server.cli('group', 'add', 'team_y')).toMatch(/group team_y added/);
  });
});
