import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = join(__dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'packages', 'local-server', 'dist', 'cli.js');

export interface LocalOptions {
  /** Reuse a data directory (for restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  port?: number;
  /** Extra `primehub-local start` flags. */
  args?: string[];
  /** Extra environment variables of the server process (a test's own process.env does not reach it). */
  env?: NodeJS.ProcessEnv;
  /**
   * Run PrimeHub Local's MLflow. Off unless asked for (`--no-mlflow`): a start costs about 5 CPU-seconds and
   * 500 MiB, which the many servers of tests that never use it would pay.
   */
  mlflow?: boolean;
}

/** A real PrimeHub Local process started by a test, with the default user's credentials. */
export class LocalServerProcess {
  endpoint = '';
  baseUrl = '';
  token = '';
  groupId = '';
  groupName = '';
  output = '';
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    readonly dataDir: string,
    private readonly opts: LocalOptions
  ) {}

  static async start(opts: LocalOptions = {}): Promise<LocalServerProcess> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'phl-test-'));
    const server = new LocalServerProcess(dataDir, opts);
    await server.launch();
    return server;
  }

  /** Starts (or restarts) the process on the same data directory and port. */
  async launch(): Promise<void> {
    const port = this.baseUrl ? new URL(this.baseUrl).port : String(this.opts.port ?? 0);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'start',
        '--data-dir',
        this.dataDir,
        '--port',
        port,
        '--log-level',
        'warn',
        ...(this.opts.mlflow ? [] : ['--no-mlflow']),
        ...(this.opts.args ?? [])
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.opts.env } }
    );
    this.child = child;
    this.exited = new Promise(resolve => child.once('exit', code => resolve(code)));
    child.stderr!.on('data', d => (this.output += d));
    const lines = createInterface({ input: child.stdout! });
    this.endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PrimeHub Local did not start:\n${this.output}`)), 30_000);
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

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs a `primehub-local` admin command on this data directory; returns trimmed stdout. */
  cli(...args: string[]): string {
    return this.cliWith({}, ...args);
  }

  /** {@link cli} with extra environment variables. */
  cliWith(env: NodeJS.ProcessEnv, ...args: string[]): string {
    const res = spawnSync(process.execPath, [CLI, ...args, '--data-dir', this.dataDir], {
      encoding: 'utf8',
      env: { ...process.env, ...env }
    });
    if (res.status !== 0) {
      throw new Error(`primehub-local ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
    }
    return res.stdout.trim();
  }

  /** `primehub-local token --revoke`, the token on its standard input as a user pipes it. */
  revokeToken(token: string): void {
    const res = spawnSync(process.execPath, [CLI, 'token', '--revoke', '--data-dir', this.dataDir], {
      input: token,
      encoding: 'utf8'
    });
    if (res.status !== 0) {
      throw new Error(`primehub-local token --revoke failed (${res.status}): ${res.stderr}`);
    }
  }

  /** SIGTERM and wait: the graceful stop a user's Ctrl+C gives. */
  async stop(): Promise<number | null> {
    this.child?.kill('SIGTERM');
    return (await this.exited) ?? null;
  }

  /** SIGKILL: a crash. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the server and removes its data directory. */
  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      await this.stop();
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
