import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DataDir } from './DataDir';
import { openDatabase, type Db } from './db/Database';
import { DeploymentStore } from './db/DeploymentStore';
import { IdentityStore } from './db/IdentityStore';
import { JobStore } from './db/JobStore';
import { ScheduleStore } from './db/ScheduleStore';
import type { Services } from './Services';
import { DeploymentRunner } from './deployments/DeploymentRunner';
import { DeploymentService } from './deployments/DeploymentService';
import { resolveRegistryModel } from './deployments/registryModel';
import { createSchema } from './graphql/schema';
import { createHttpServer } from './http/HttpServer';
import { DEFAULT_ARTIFACT_LIMITS, removeExpiredArtifacts, type ArtifactLimits } from './jobs/artifacts';
import { detectLimits } from './jobs/cgroupLimits';
import { JobRunner } from './jobs/JobRunner';
import { probeJobs } from './jobs/jobProbe';
import {
  detectSandbox,
  isolationMode,
  SandboxUnavailableError,
  writeAccounts,
  type IsolationMode
} from './jobs/jobSandbox';
import { prepareSeccomp } from './jobs/jobSeccomp';
import { JobService } from './jobs/JobService';
import { createLogger, type Logger } from './logger';
import { groupMlflow, mlflowEnvironment, mlflowUiUrl, type LocalMlflow } from './mlflow/groupMlflow';
import { MlflowAccounts, MlflowGroupSync } from './mlflow/MlflowAccounts';
import { MlflowHttp } from './mlflow/MlflowHttp';
import { MlflowServer, type MlflowStatus } from './mlflow/MlflowServer';
import { Phfs } from './phfs/Phfs';
import { Scheduler } from './schedules/Scheduler';
import { NotebookSsh } from './ssh/NotebookSsh';
import { SshBastion, type BastionStatus } from './ssh/SshBastion';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from './seed';
import { readSdkConfig, writeSdkConfig } from './userConfig';

export interface LocalServerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The base URL clients use, when it differs from `http://host:port`. */
  publicUrl?: string;
  cpus?: number;
  memoryGb?: number;
  artifactLimits?: Partial<ArtifactLimits>;
  maxUploadBytes?: number;
  killGraceMs?: number;
  /** The virtualenv whose `bin` jobs get first on PATH; defaults to the repository's `.venv`. */
  pythonEnv?: string;
  /** How jobs run: in a bubblewrap sandbox where possible (`auto`, default), always, or never. */
  jobIsolation?: IsolationMode;
  /** Whether to run the MLflow tracking server (`mlflow server` from {@link pythonEnv}); default true. */
  mlflow?: boolean;
  /** The SSH bastion's first port tried (default 2222, then the next free one; 0: any free port). */
  sshPort?: number;
  /**
   * The notebooks that run beside the server (`npm start`'s JupyterLab): their users, and whether their SSH
   * servers start with it (`--ssh`). Only these can have SSH enabled.
   */
  notebooks?: { users: string[]; ssh: boolean };
  logger?: Logger;
}

const HOUR = 3600_000;

/** The repository's virtualenv, when PrimeHub Local runs from a checkout. */
function defaultPythonEnv(): string | undefined {
  const venv = join(__dirname, '..', '..', '..', '.venv');
  return existsSync(join(venv, 'bin', 'python')) ? venv : undefined;
}

/**
 * PrimeHub Local: one process serving PrimeHub's GraphQL and REST API over its own data
 * directory, running jobs and recurring jobs for real.
 */
export class LocalServer {
  readonly dirs: DataDir;
  private db?: Db;
  private http?: Server;
  private runner?: JobRunner;
  private scheduler?: Scheduler;
  private cleanup?: NodeJS.Timeout;
  private mlflow?: MlflowServer;
  private mlflowSync?: MlflowGroupSync;
  private mlflowHttp?: MlflowHttp;
  private deploymentRunner?: DeploymentRunner;
  private notebookSsh?: NotebookSsh;
  private bastion?: SshBastion;
  private readonly log: Logger;
  private url = '';

  constructor(private readonly opts: LocalServerOptions) {
    this.dirs = new DataDir(opts.dataDir);
    this.log = opts.logger ?? createLogger();
  }

  /** GraphQL endpoint, once started. */
  get endpoint(): string {
    return `${this.url}/api/graphql`;
  }

  async start(): Promise<void> {
    this.dirs.create();
    await rm(this.dirs.staging, { recursive: true, force: true });
    this.dirs.create();
    const db = (this.db = openDatabase(this.dirs.database));
    const identity = new IdentityStore(db);
    const firstStart = identity.isEmpty();
    if (firstStart) {
      seedDefaults(identity);
    }
    const jobs = new JobStore(db);
    const schedules = new ScheduleStore(db);
    const phfs = new Phfs(this.dirs);
    const pythonEnv = this.opts.pythonEnv ?? defaultPythonEnv();
    const isolation = this.opts.jobIsolation ?? isolationMode();
    let sandbox = detectSandbox(isolation);
    if (!sandbox.available && isolation === 'sandbox') {
      throw new SandboxUnavailableError(`jobs cannot run in a sandbox: ${sandbox.reason}`);
    }
    if (!sandbox.available) {
      this.log.warn(`jobs are NOT isolated: they can read and write every group's files (${sandbox.reason})`);
    } else {
      const seccomp = prepareSeccomp(this.dirs.sandbox);
      if (!seccomp.available && isolation === 'sandbox') {
        throw new SandboxUnavailableError(`jobs cannot run in a sandbox: ${seccomp.reason}`);
      }
      sandbox = {
        ...sandbox,
        accounts: writeAccounts(this.dirs.sandbox),
        ...(seccomp.available ? { seccomp: seccomp.file } : { weakness: seccomp.reason })
      };
    }
    const limits = detectLimits();
    if (limits.mechanism === 'none' || limits.mechanism === 'rlimit') {
      this.log.info(`job CPU and memory limits are not fully enforced: ${limits.reason}`);
    }
    // What jobs really get, seen from inside one: /api/health reports this, not the configuration.
    const observed = await probeJobs(join(this.dirs.sandbox, 'probe'), sandbox, limits, pythonEnv);
    if (sandbox.available && observed.isolation !== 'sandbox') {
      if (isolation === 'sandbox') {
        throw new SandboxUnavailableError(`jobs cannot run in a safe sandbox: ${observed.reason}`);
      }
      this.log.warn(`jobs are NOT fully isolated: ${observed.reason}`);
    }
    const runner = (this.runner = new JobRunner(
      this.dirs,
      jobs,
      identity,
      {
        cpus: this.opts.cpus ?? availableParallelism(),
        memoryGb: this.opts.memoryGb ?? totalmem() / 1024 ** 3,
        // Options left undefined (flags not given) keep PrimeHub's defaults.
        artifactLimits: {
          ...DEFAULT_ARTIFACT_LIMITS,
          ...Object.fromEntries(Object.entries(this.opts.artifactLimits ?? {}).filter(([, v]) => v !== undefined))
        },
        defaultDeadlineSeconds: 86400,
        killGraceMs: this.opts.killGraceMs ?? 3000,
        pythonEnv,
        sandbox,
        limits,
        isolation: observed,
        // read at each job's start: the group's MLflow as it is then
        environment: group => mlflowEnvironment(groupMlflow(group, localMlflow))
      },
      this.log
    ));
    writeFileSync(this.dirs.jobIsolation, `${JSON.stringify(runner.isolation)}\n`, { mode: 0o600 });
    const jobService = new JobService(identity, jobs, () => runner.kick());
    const scheduler = (this.scheduler = new Scheduler(schedules, jobs, identity, jobService, this.log));
    // Each group's MLflow account is made once MLflow answers, and for groups added while it runs.
    const mlflowAccounts = new MlflowAccounts(this.dirs);
    const mlflowSync = (this.mlflowSync = new MlflowGroupSync(
      mlflowAccounts,
      () => identity.allGroups().map(g => g.name),
      this.log
    ));
    const mlflow = (this.mlflow = new MlflowServer(
      this.dirs,
      { enabled: this.opts.mlflow ?? true, pythonEnv, accounts: mlflowAccounts, onReady: mlflowSync.ready },
      this.log
    ));
    mlflow.on('state', mlflowSync.onState);
    const localMlflow: LocalMlflow = {
      url: () => (mlflow.status().state === 'disabled' ? undefined : mlflow.url),
      trackingEnvs: group => mlflowAccounts.trackingEnvs(group),
      uiUrl: group => mlflowUiUrl(this.url, group)
    };
    // the models resolvers' connections to the groups' MLflows, closed with the server
    const mlflowHttp = (this.mlflowHttp = new MlflowHttp());
    const notebookSsh = (this.notebookSsh = new NotebookSsh(
      this.dirs,
      { users: this.opts.notebooks?.users ?? [], enabled: this.opts.notebooks?.ssh ?? false },
      this.log
    ));
    const bastion = (this.bastion = new SshBastion(
      {
        hostKeyFile: join(this.dirs.root, 'ssh', 'bastion_host_ed25519_key'),
        port: this.opts.sshPort,
        notebooks: notebookSsh
      },
      this.log
    ));
    // deployments' replicas run in the jobs' sandbox, with their limits
    const deployments = new DeploymentStore(db);
    const deploymentRunner = (this.deploymentRunner = new DeploymentRunner(
      this.dirs,
      deployments,
      identity,
      {
        pythonEnv,
        sandbox,
        limits,
        killGraceMs: this.opts.killGraceMs ?? 3000,
        resolveRegistry: (group, name, ref) => resolveRegistryModel(group, localMlflow, mlflowHttp, name, ref)
      },
      this.log
    ));
    const services: Services = {
      deployments,
      deploymentService: new DeploymentService(identity, deployments, deploymentRunner),
      deploymentRunner,
      localMlflow,
      mlflowHttp,
      dirs: this.dirs,
      identity,
      jobs,
      schedules,
      jobService,
      runner,
      scheduler,
      phfs,
      mlflow,
      mlflowAccounts,
      notebookSsh,
      bastion,
      publicUrl: () => this.url
    };
    await runner.recover();
    // Expired artifacts are gone before the first request, then swept hourly.
    const sweep = () => removeExpiredArtifacts(this.dirs.phfs).catch(err => this.log.warn(`artifact cleanup: ${err}`));
    await sweep();
    this.cleanup = setInterval(sweep, HOUR);
    this.cleanup.unref();
    const http = (this.http = createHttpServer(
      services,
      createSchema(),
      { maxUploadBytes: this.opts.maxUploadBytes ?? 64 * 1024 ** 3 },
      this.log
    ));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.opts.port ?? 8321, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = http.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
    this.url = (this.opts.publicUrl ?? `http://${host}:${addr.port}`).replace(/\/$/, '');
    this.writeUserConfig(identity, firstStart);
    scheduler.start();
    await bastion.start();
    await notebookSsh.start();
    // Once this server holds its port: a second one started by mistake on the same data directory fails
    // before it could end this one's MLflow. Not awaited to be ready (see MlflowServer).
    await mlflow.start();
    // deployments that were serving serve again
    deploymentRunner.recover();
  }

  /** MLflow's state and tracking URI (`/api/health` reports the same). */
  get mlflowStatus(): MlflowStatus | undefined {
    return this.mlflow?.status();
  }

  /** The SSH bastion's address (`/api/health`'s `ssh`). */
  get bastionStatus(): BastionStatus | undefined {
    return this.bastion?.status();
  }

  /** Graceful stop: no new requests, running jobs and MLflow stopped, jobs recorded, database closed. */
  async stop(): Promise<void> {
    clearInterval(this.cleanup);
    this.scheduler?.stop();
    this.mlflowSync?.stop();
    const closed = this.http ? new Promise<void>(resolve => this.http!.close(() => resolve())) : Promise.resolve();
    this.http?.closeAllConnections();
    await Promise.all([
      this.runner?.stop(),
      this.deploymentRunner?.close(),
      this.mlflow?.stop(),
      this.mlflowHttp?.close(),
      this.bastion?.stop(),
      this.notebookSsh?.stop()
    ]);
    await closed;
    this.db?.close();
  }

  /**
   * The default user's SDK config: created with a fresh token on first start; afterwards only
   * the endpoint is updated (the token is never stored in plain text, so it is kept as it is).
   */
  private writeUserConfig(identity: IdentityStore, firstStart: boolean): void {
    const file = this.dirs.userConfig;
    const existing = readSdkConfig(file);
    if (existing && !firstStart) {
      if (existing.endpoint !== this.endpoint) {
        writeSdkConfig(file, { ...existing, endpoint: this.endpoint });
      }
      return;
    }
    const group = identity.groupByName(DEFAULT_GROUP);
    if (!group || !identity.userByName(DEFAULT_USER)) {
      return;
    }
    writeSdkConfig(file, {
      endpoint: this.endpoint,
      'api-token': identity.issueToken(DEFAULT_USER),
      group: { id: group.id, name: group.name, displayName: group.display_name ?? group.name }
    });
  }
}
