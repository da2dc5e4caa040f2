import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataDir } from '../DataDir';
import { findExecutable } from '../jobs/jobSandbox';
import type { Logger } from '../logger';
import { loopbackPort } from '../ports';
import { groupGone, groupMembers, processesWithEnv, signalGroup } from '../processes';
import { MlflowAccounts } from './MlflowAccounts';

/** Given to MLflow's processes (the uvicorn worker inherits it) so a later start can find them by data directory. */
export const MLFLOW_MARKER_ENV = 'PRIMEHUB_LOCAL_MLFLOW';

/**
 * `starting` until MLflow answers `/health`, then `running`; `stopped` after it died (while a restart waits,
 * or for good after too many in a row) and once PrimeHub Local stopped; `disabled` by `--no-mlflow` or
 * when `mlflow` is not installed.
 */
export type MlflowState = 'starting' | 'running' | 'stopped' | 'disabled';

/** What `/api/health` says about MLflow. */
export interface MlflowStatus {
  state: MlflowState;
  /** The tracking URI, `http://127.0.0.1:<port>`, once a port is chosen. */
  url?: string;
  /** Why it is stopped or disabled. */
  reason?: string;
  /** How often it was started again after it died. */
  restarts: number;
}

export interface MlflowOptions {
  /** False with `--no-mlflow`. */
  enabled: boolean;
  /** The virtualenv whose `bin/mlflow` is run. */
  pythonEnv?: string;
  /** Another `mlflow` executable than the virtualenv's (tests). */
  program?: string;
  /** Delay before the first restart, doubled for each further failed start in a row (default 1 s). */
  backoffMs?: number;
  /** Longest delay between restarts (default 30 s). */
  maxBackoffMs?: number;
  /** After this many failed starts in a row it is left stopped (default 5). */
  maxFailures?: number;
  /** A run that was ready this long no longer counts as a failed start when it dies (default 60 s). */
  stableMs?: number;
  /** A start that does not answer `/health` within this is killed and counts as failed (default 180 s). */
  startTimeoutMs?: number;
  /** Time it gets to stop after SIGTERM before it is killed (default 10 s). */
  stopGraceMs?: number;
  /** The groups' accounts, whose auth config the server runs with (default: the data directory's). */
  accounts?: MlflowAccounts;
  /**
   * Awaited each time a start answers `/health`, before it is reported `running` (PrimeHub Local provisions the
   * groups' accounts there, so `running` means a group's credentials work). A rejection is logged, not fatal.
   */
  onReady?: (url: string) => Promise<void> | void;
}

const HOST = '127.0.0.1';
const POLL_MS = 100;

interface ProcessRecord {
  pid?: number;
  port?: number;
}

/**
 * PrimeHub Local's MLflow tracking server: `mlflow server` from the Python virtualenv on a loopback port, one
 * uvicorn worker, its SQLite store and the artifacts it serves itself (`--serve-artifacts`, default root
 * `mlflow-artifacts:/`) under the data directory, so jobs and notebooks log runs and models over HTTP only and
 * never write into the data directory. Its output goes to {@link DataDir.mlflowLog}.
 *
 * Groups are kept apart by MLflow's basic-auth app with one workspace and one user per group (`--app-name
 * basic-auth --enable-workspaces`, see {@link MlflowAccounts}); its auth config and user store are under the same
 * folder, the admin password only in that 0600 config, never on the command line.
 *
 * Started at boot, in the background: PrimeHub Local serves at once, and MLflow is `running` once it answers
 * `/health` and {@link MlflowOptions.onReady} (the groups' accounts) is done. Measured on two busy cores (`test/bench/mlflow-start.mjs`): 6 to 8 s to ready (11 to 15 s on a fresh
 * store, which runs MLflow's migrations), 5 CPU-seconds, and 500 MiB RSS (the `mlflow` CLI and its worker, 250 MiB
 * each).
 * Starting it on first use would save that memory until then, but PrimeHub Local cannot see the first use: jobs
 * and notebooks call MLflow directly at their tracking URI, so their first call would meet a closed port, unless
 * every job waited for a start it might not need. `--no-mlflow` turns it off where the memory matters more.
 *
 * Supervised as one process group: a start that dies or does not answer in time is started again on the same
 * port after a backoff (1 s, doubled per failed start in a row, given up after {@link MlflowOptions.maxFailures});
 * {@link stop} ends the whole group. `setpriv --pdeathsig` has the `mlflow` CLI told (SIGTERM, which it passes on
 * to its worker) when PrimeHub Local dies without stopping it, and a start cleans up what an earlier one left.
 *
 * Events: `state` ({@link MlflowStatus}) on every change.
 */
export class MlflowServer extends EventEmitter {
  private child?: ChildProcess;
  private port?: number;
  private state: MlflowState = 'stopped';
  private reason?: string;
  private restarts = 0;
  private failures = 0;
  private readyAt?: number;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private readonly marker: string;
  private readonly accounts: MlflowAccounts;
  /** The auth app's variables ({@link MlflowAccounts.prepareServer}), set by start(). */
  private authEnv: Record<string, string> = {};
  // A crash of PrimeHub Local's own (an uncaught error) still ends MLflow; a normal stop goes through stop().
  private readonly onProcessExit = (): void => signalGroup(this.child?.pid, 'SIGTERM');

  constructor(
    private readonly dirs: DataDir,
    private readonly opts: MlflowOptions,
    private readonly log: Logger
  ) {
    super();
    this.marker = `${MLFLOW_MARKER_ENV}=${dirs.mlflow}`;
    this.accounts = opts.accounts ?? new MlflowAccounts(dirs);
  }

  /** The tracking URI, once a port is chosen (even while MLflow is still starting). */
  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://${HOST}:${this.port}`;
  }

  status(): MlflowStatus {
    return {
      state: this.state,
      ...(this.url && this.state !== 'disabled' ? { url: this.url } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      restarts: this.restarts
    };
  }

  /**
   * Ends what an earlier PrimeHub Local left of its MLflow on this data directory, then starts MLflow (unless
   * disabled) without waiting for it to be ready.
   */
  async start(): Promise<void> {
    mkdirSync(this.dirs.mlflow, { recursive: true, mode: 0o700 });
    await this.endLeftovers();
    if (!this.opts.enabled) {
      this.set('disabled', 'turned off (--no-mlflow)');
      return;
    }
    const program = this.opts.program ?? (this.opts.pythonEnv && join(this.opts.pythonEnv, 'bin', 'mlflow'));
    if (!program || !existsSync(program)) {
      const where = program ?? 'no Python virtualenv found';
      this.set('disabled', `mlflow is not installed (${where}); the bootstrap (npm start) installs it`);
      this.log.warn(`MLflow is off: ${this.reason}`);
      return;
    }
    try {
      this.authEnv = this.accounts.prepareServer();
    } catch (err) {
      this.set('disabled', `cannot write its auth config: ${(err as Error).message}`);
      this.log.error(`MLflow is off: ${this.reason}`);
      return;
    }
    // The same port as last time where it is free, so tracking URIs handed out before a restart stay good.
    this.port = await loopbackPort(this.readRecord().port);
    if (this.stopping) {
      return;
    }
    process.on('exit', this.onProcessExit);
    this.launch(program);
  }

  /** Stops MLflow and every process it started: SIGTERM, then SIGKILL after the grace time. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    process.off('exit', this.onProcessExit);
    const pid = this.child?.pid;
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      if (!(await groupGone(pid, this.opts.stopGraceMs ?? 10_000))) {
        this.log.warn(`MLflow did not stop within ${this.opts.stopGraceMs ?? 10_000} ms; killing it`);
        signalGroup(pid, 'SIGKILL');
        await groupGone(pid, 5_000);
      }
    }
    if (this.state !== 'disabled') {
      this.set('stopped', 'PrimeHub Local stopped');
    }
  }

  private launch(program: string): void {
    const port = this.port!;
    const args = [
      'server',
      '--backend-store-uri',
      `sqlite:///${this.dirs.mlflowDatabase}`,
      '--default-artifact-root',
      'mlflow-artifacts:/',
      '--serve-artifacts',
      '--artifacts-destination',
      this.dirs.mlflowArtifacts,
      '--host',
      HOST,
      '--port',
      String(port),
      // MLflow's default of 4 workers is 4 copies of its imports (~250 MB each) for one user's requests.
      '--workers',
      '1',
      // One user per group, each in a workspace of its own (MlflowAccounts).
      '--app-name',
      'basic-auth',
      '--enable-workspaces'
    ];
    const setpriv = findExecutable('setpriv', '/usr/bin:/bin');
    const [file, ...argv] = setpriv ? [setpriv, '--pdeathsig', 'TERM', program, ...args] : [program, ...args];
    appendFileSync(
      this.dirs.mlflowLog,
      `--- ${new Date().toISOString()} PrimeHub Local starts mlflow server on ${HOST}:${port}\n`,
      { mode: 0o600 }
    );
    const fd = openSync(this.dirs.mlflowLog, 'a', 0o600);
    let child: ChildProcess;
    try {
      // Its own process group, so the worker it starts is stopped with it; output straight to the log.
      child = spawn(file, argv, {
        cwd: this.dirs.mlflow,
        env: this.environment(),
        detached: true,
        stdio: ['ignore', fd, fd]
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.readyAt = undefined;
    const started = Date.now();
    let ended = false;
    const end = (why: string): void => {
      if (!ended) {
        ended = true;
        this.ended(child, program, why);
      }
    };
    child.once('error', err => end(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => end(`exited with ${code ?? signal}`));
    writeFileSync(this.dirs.mlflowProcess, `${JSON.stringify({ pid: child.pid, port })}\n`, { mode: 0o600 });
    this.set('starting');
    void this.awaitReady(child, started);
  }

  /** The server's environment: none of PrimeHub Local's own (its MLFLOW_* settings could change the server). */
  private environment(): NodeJS.ProcessEnv {
    const env = process.env;
    return {
      PATH: [this.opts.pythonEnv && join(this.opts.pythonEnv, 'bin'), env.PATH ?? '/usr/local/bin:/usr/bin:/bin']
        .filter(Boolean)
        .join(':'),
      HOME: env.HOME ?? this.dirs.mlflow,
      LANG: env.LANG ?? 'C.UTF-8',
      ...(env.TMPDIR ? { TMPDIR: env.TMPDIR } : {}),
      PYTHONUNBUFFERED: '1',
      // MLflow 3's job runner (huey consumers for GenAI scorers and prompt optimisation) serves nothing PrimeHub
      // uses and adds 8 processes and about 600 MB.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      // The auth config's path and the Flask secret: in the environment, which only this user can read.
      ...this.authEnv,
      [MLFLOW_MARKER_ENV]: this.dirs.mlflow
    };
  }

  /** Polls MLflow's `/health` until it answers; a start that takes too long is killed (and so restarted). */
  private async awaitReady(child: ChildProcess, started: number): Promise<void> {
    const deadline = started + (this.opts.startTimeoutMs ?? 180_000);
    while (this.child === child && child.exitCode === null && child.signalCode === null) {
      if (await healthy(`${this.url}/health`)) {
        if (this.opts.onReady && this.child === child && !this.stopping) {
          try {
            await this.opts.onReady(this.url!);
          } catch (err) {
            this.log.warn(`MLflow: preparing it after its start failed: ${(err as Error).message}`);
          }
        }
        if (this.child === child && !this.stopping && child.exitCode === null && child.signalCode === null) {
          this.readyAt = Date.now();
          this.set('running');
          this.log.info(`MLflow is ready at ${this.url} (${((this.readyAt - started) / 1000).toFixed(1)} s)`);
        }
        return;
      }
      if (Date.now() > deadline) {
        this.log.warn(`MLflow did not answer ${this.url}/health within ${deadline - started} ms; starting it again`);
        signalGroup(child.pid, 'SIGKILL');
        return;
      }
      await sleep(POLL_MS);
    }
  }

  /** The `mlflow` CLI ended: whatever it left is killed, and it is started again after a backoff. */
  private ended(child: ChildProcess, program: string, why: string): void {
    if (this.child !== child) {
      return;
    }
    // Its uvicorn worker outlives it when the CLI alone was killed.
    signalGroup(child.pid, 'SIGKILL');
    this.child = undefined;
    if (this.stopping) {
      return;
    }
    const lasted = this.readyAt !== undefined && Date.now() - this.readyAt >= (this.opts.stableMs ?? 60_000);
    this.failures = lasted ? 1 : this.failures + 1;
    const max = this.opts.maxFailures ?? 5;
    if (this.failures > max) {
      this.set(
        'stopped',
        `mlflow server ${why}; not restarted after ${max} failed starts in a row (see ${this.dirs.mlflowLog})`
      );
      this.log.error(`MLflow: ${this.reason}`);
      return;
    }
    const delay = Math.min((this.opts.backoffMs ?? 1000) * 2 ** (this.failures - 1), this.opts.maxBackoffMs ?? 30_000);
    this.set('stopped', `mlflow server ${why}; restarting in ${delay} ms`);
    this.log.warn(`MLflow: ${this.reason}`);
    this.timer = setTimeout(() => {
      this.restarts += 1;
      this.launch(program);
    }, delay);
  }

  /**
   * Ends the MLflow an earlier PrimeHub Local started on this data directory, if it still runs (that server was
   * killed where `setpriv` is missing, or MLflow is still shutting down). Only a recorded process group with a
   * process carrying this data directory's marker is touched, as a whole (a process may be between fork and exec).
   */
  private async endLeftovers(): Promise<void> {
    const { pid } = this.readRecord();
    if (pid === undefined) {
      return;
    }
    const mine = new Set(processesWithEnv(this.marker));
    const left = groupMembers(pid);
    if (!left.some(p => mine.has(p))) {
      return;
    }
    this.log.info(`ending the MLflow an earlier PrimeHub Local left running (pids ${left.join(', ')})`);
    signalGroup(pid, 'SIGTERM');
    if (!(await groupGone(pid, this.opts.stopGraceMs ?? 10_000))) {
      signalGroup(pid, 'SIGKILL');
      await groupGone(pid, 5_000);
    }
  }

  private readRecord(): ProcessRecord {
    try {
      const record = JSON.parse(readFileSync(this.dirs.mlflowProcess, 'utf8')) as ProcessRecord;
      return {
        pid: Number.isInteger(record.pid) && record.pid! > 1 ? record.pid : undefined,
        port: Number.isInteger(record.port) && record.port! > 0 && record.port! < 65536 ? record.port : undefined
      };
    } catch {
      return {};
    }
  }

  private set(state: MlflowState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.emit('state', this.status());
  }
}

/** Whether `url` answers 200 within a second (a connection of its own, closed after). */
function healthy(url: string): Promise<boolean> {
  return new Promise(resolve => {
    const req = get(url, { agent: false, timeout: 1000 }, res => {
      res.once('error', () => resolve(false));
      res.once('end', () => resolve(res.statusCode === 200));
      res.resume();
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}
