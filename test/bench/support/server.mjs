// Starts a real PrimeHub Local for one benchmark: `dist/cli.js start` on a free port over a
// temporary data directory, with the default user's credentials read from its config.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export { freePort } from '../../../scripts/machine.cjs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(REPO_ROOT, 'packages', 'local-server', 'dist', 'cli.js');

/** A fresh temporary folder; the caller removes it with {@link removeDir}. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `phl-bench-${prefix}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

export class BenchServer {
  constructor(dataDir, args) {
    this.dataDir = dataDir;
    this.args = args;
    this.output = '';
    this.child = undefined;
    this.exited = undefined;
    this.endpoint = '';
    this.baseUrl = '';
    this.token = '';
    this.groupId = '';
    this.groupName = '';
  }

  /**
   * Starts a server; `dataDir` defaults to a new temporary folder that {@link dispose} removes. Its MLflow runs
   * only with `mlflow: true`: starting it would take CPU from what the benchmark measures.
   */
  static async start({ dataDir, args = [], mlflow = false } = {}) {
    const server = new BenchServer(dataDir ?? tempDir('data'), [...(mlflow ? [] : ['--no-mlflow']), ...args]);
    server.ownsDir = dataDir === undefined;
    await server.launch();
    return server;
  }

  get pid() {
    return this.child?.pid;
  }

  /** Starts (or restarts, on the same port) the process; resolves once it serves requests. */
  async launch() {
    const port = this.baseUrl ? new URL(this.baseUrl).port : '0';
    const child = spawn(
      process.execPath,
      [CLI, 'start', '--data-dir', this.dataDir, '--port', port, '--log-level', 'warn', ...this.args],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    this.child = child;
    this.exited = new Promise(resolve => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.stderr.on('data', d => (this.output += d));
    const lines = createInterface({ input: child.stdout });
    this.endpoint = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`PrimeHub Local did not start within 30 s:\n${this.output}`)),
        30_000
      );
      lines.on('line', line => {
        this.output += `${line}\n`;
        const m = /GraphQL endpoint: (\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`PrimeHub Local exited with ${code}:\n${this.output}`));
      });
    });
    this.baseUrl = this.endpoint.replace(/\/api\/graphql$/, '');
    const config = JSON.parse(readFileSync(join(this.dataDir, 'config.json'), 'utf8'));
    this.token = config['api-token'];
    this.groupId = config.group.id;
    this.groupName = config.group.name;
  }

  /** Graceful stop (SIGTERM), as Ctrl+C would; resolves with the exit code. */
  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      return this.exited;
    }
    this.child.kill('SIGTERM');
    // An unreferenced timer: a pending one would keep the benchmark process alive after it is done.
    const code = await Promise.race([this.exited, sleep(15_000, 'timeout', { ref: false })]);
    if (code === 'timeout') {
      this.child.kill('SIGKILL');
      return this.exited;
    }
    return code;
  }

  /** Stops the server and removes the data directory it created. */
  async dispose() {
    await this.stop();
    if (this.ownsDir) {
      removeDir(this.dataDir);
    }
  }
}

/** The resident set size of a process in bytes (VmRSS), or undefined once it is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
