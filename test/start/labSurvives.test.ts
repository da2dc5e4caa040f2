/**
 * `npm start` as a user leans on it: PrimeHub Local killed alone is restarted while JupyterLab and
 * its kernels run on, and signing out of the Lab forgets only the Lab's own copy of the token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../scripts/machine.cjs';
import { REPO_ROOT } from '../kit/localServer';
import { waitFor } from '../kit/wait';

/** PrimeHub Local's process under `npm start` for this data directory (its command line names both). */
function serverPid(dataDir: string): number | undefined {
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some(a => a.endsWith('cli.js')) && args.includes('start') && args.includes(dataDir)) {
        return Number(pid);
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

let dataDir: string;
let home: string;
let child: ChildProcess;
let exited: Promise<number | null>;
let stderr = '';
let endpoint: string;
let lab: URL;
const sdkConfig = JSON.stringify({ endpoint: 'https://cluster.example/api/graphql', 'api-token': 'sdk-token' });

/** A request to the Lab with its token (no XSRF needed with a token). */
function labFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(path, lab);
  return fetch(url, {
    ...init,
    headers: { authorization: `token ${lab.searchParams.get('token')}`, ...(init.headers ?? {}) }
  });
}

async function me(): Promise<string | undefined> {
  const res = await labFetch('/primehub-suite/proxy/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { username } }' })
  });
  const body = (await res.json().catch(() => ({}))) as { data?: { me?: { username?: string } } };
  return body.data?.me?.username;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-survive-'));
  // The user's own SDK config (say, for a real cluster), which nothing here may touch.
  home = mkdtempSync(join(tmpdir(), 'npm-start-home-'));
  mkdirSync(join(home, '.primehub'));
  writeFileSync(join(home, '.primehub', 'config.json'), sdkConfig, { mode: 0o600 });
  child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'scripts', 'start.mjs'),
      '--port',
      '0',
      '--jupyter-port',
      String(await freePort()),
      '--data-dir',
      dataDir
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } }
  );
  child.stderr!.on('data', d => (stderr += d));
  exited = new Promise(resolve => child.once('exit', code => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no summary:\n${output}${stderr}`)), 120_000);
    createInterface({ input: child.stdout! }).on('line', line => {
      output += `${line}\n`;
      if (line.startsWith('Ctrl+C stops')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', code => reject(new Error(`start.mjs exited with ${code}:\n${output}${stderr}`)));
  });
  endpoint = /GraphQL endpoint:\s+(\S+)/.exec(output)![1];
  lab = new URL(/JupyterLab \(user phuser, group phusers\): (\S+)/.exec(output)![1]);
  expect(output).toContain(`its API token:     in ${join(dataDir, 'jupyterlab-config.json')}`);
  await waitFor(
    `JupyterLab to answer at ${lab.origin}`,
    () =>
      labFetch('/api/status').then(
        r => r.ok,
        () => false
      ),
    60_000,
    250
  );
}, 150_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT');
    await Promise.race([exited, new Promise(r => setTimeout(r, 40_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}, 60_000);

test('killing PrimeHub Local alone: it is restarted, JupyterLab and its kernel live on, the Lab reaches it again', async () => {
  const started = await labFetch('/api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3' }) });
  expect(started.status).toBe(201);
  const kernel = (await started.json()) as { id: string };
  // The kernel's process names its connection file, kernel-<id>.json.
  const kernelPids = await waitFor(
    'the kernel process',
    () => {
      const pids = readdirSync('/proc')
        .filter(name => /^\d+$/.test(name))
        .filter(pid => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(kernel.id);
          } catch {
            return false;
          }
        })
        .map(Number);
      return pids.length > 0 && pids;
    },
    60_000,
    250
  );
  expect(kernelPids.length).toBeGreaterThan(0);
  expect(await me()).toBe('phuser');

  const pid = serverPid(dataDir)!;
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');

  await waitFor(
    'npm start to say it restarted PrimeHub Local',
    () => /PrimeHub Local restarted at (\S+)/.exec(stderr),
    60_000,
    100
  );
  expect(stderr).toMatch(/PrimeHub Local stopped unexpectedly \(SIGKILL\); restarting it/);
  expect(/PrimeHub Local restarted at (\S+)/.exec(stderr)![1]).toBe(endpoint);
  const health = await fetch(new URL('/api/health', endpoint));
  expect(health.status).toBe(200);
  expect(serverPid(dataDir)).not.toBe(pid);

  // JupyterLab and its kernel lived through it, and the Lab's extension reaches the new server.
  expect(child.exitCode).toBeNull();
  expect((await labFetch('/api/status')).status).toBe(200);
  const after = (await (await labFetch(`/api/kernels/${kernel.id}`)).json()) as { execution_state: string };
  expect(after.execution_state).not.toBe('dead');
  expect(kernelPids.every(alive)).toBe(true);
  expect(await waitFor('the Lab to reach PrimeHub Local again', me, 30_000, 250)).toBe('phuser');
}, 180_000);

test("signing out of the Lab forgets only the Lab's copy of the token", async () => {
  const serverConfig = readFileSync(join(dataDir, 'config.json'), 'utf8');
  const labCopy = join(dataDir, 'jupyterlab-config.json');
  const config = (await (await labFetch('/primehub-suite/config')).json()) as Record<string, unknown>;
  expect(config).toMatchObject({ tokenSet: true, tokenFile: labCopy });

  const res = await labFetch('/primehub-suite/token', { method: 'DELETE' });
  expect(await res.json()).toEqual({ tokenSet: false, tokenFile: labCopy });
  expect(JSON.parse(readFileSync(labCopy, 'utf8'))).not.toHaveProperty('api-token');
  // PrimeHub Local's own file and the SDK's are exactly as they were.
  expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe(serverConfig);
  expect(JSON.parse(serverConfig)['api-token']).toBeTruthy();
  expect(readFileSync(join(home, '.primehub', 'config.json'), 'utf8')).toBe(sdkConfig);
  expect(await me()).toBeUndefined();

  // Ctrl+C still stops both, the restarted server included.
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  await expect(fetch(endpoint, { method: 'POST' })).rejects.toThrow();
  await expect(fetch(lab)).rejects.toThrow();
}, 120_000);
