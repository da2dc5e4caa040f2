#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataDir, resolveDataDir } from './DataDir';
import { openDatabase } from './db/Database';
import { IdentityStore } from './db/IdentityStore';
import { ApiError } from './errors';
import { detectSandbox, isolationMode, SandboxUnavailableError, type IsolationMode } from './jobs/jobSandbox';
import { LocalServer } from './LocalServer';
import { validateMlflowSetting } from './mlflow/groupMlflow';
import { createLogger, type LogLevel } from './logger';
import { DEFAULT_GROUP, seedDefaults } from './seed';

const USAGE = `Usage: primehub-local <command> [options]

Commands:
  start [--host 127.0.0.1] [--port 8321]      run the server in the foreground
  group add NAME [--display-name X] [--cpu-quota N] [--memory-quota GB] [--gpu-quota N]
                 [--user-cpu-quota N] [--user-memory-quota GB] [--user-gpu-quota N]
                 [--job-timeout-seconds N]
  group set-mlflow NAME --tracking-uri URL [--ui-url URL] [--tracking-env K=V ...] [--artifact-env K=V ...]
                 point the group's jobs, notebooks and models at another MLflow
  group set-mlflow NAME --local               back to PrimeHub Local's own MLflow
  user add NAME --group G [--group G2 ...] [--admin] [--allow-unisolated-jobs]
  token --user NAME [--expires-in SECONDS]    print a new API token for NAME
  token --revoke                              revoke the API token read from standard input

Every command takes --data-dir DIR (default $PRIMEHUB_LOCAL_HOME or ~/.primehub-local).
start also takes --cpus N, --memory-gb N, --public-url URL, --artifact-limit-mb N,
--artifact-limit-files N, --artifact-retention-seconds N, --max-upload-mb N (largest PHFS upload),
--log-level debug|info|warn|error, --job-isolation auto|sandbox|none (default auto, or
$PRIMEHUB_LOCAL_JOB_ISOLATION: jobs run in a bubblewrap sandbox where this machine allows it),
--no-mlflow (no MLflow tracking server; by default one runs on a free loopback port),
--ssh-port N (the SSH bastion's port: 2222 by default, else the next free one), --notebook-user NAME
(a notebook that runs beside the server, as npm start's JupyterLab; repeatable) and --ssh (their
SSH servers start with it).
Where jobs cannot be sandboxed, every user's jobs can read and write every group's files: adding
a second user then needs --allow-unisolated-jobs.`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'public-url': { type: 'string' },
  cpus: { type: 'string' },
  'memory-gb': { type: 'string' },
  'artifact-limit-mb': { type: 'string' },
  'artifact-limit-files': { type: 'string' },
  'artifact-retention-seconds': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'log-level': { type: 'string' },
  'job-isolation': { type: 'string' },
  'no-mlflow': { type: 'boolean' },
  'ssh-port': { type: 'string' },
  'notebook-user': { type: 'string', multiple: true },
  ssh: { type: 'boolean' },
  'allow-unisolated-jobs': { type: 'boolean' },
  'display-name': { type: 'string' },
  'cpu-quota': { type: 'string' },
  'memory-quota': { type: 'string' },
  'gpu-quota': { type: 'string' },
  'user-cpu-quota': { type: 'string' },
  'user-memory-quota': { type: 'string' },
  'user-gpu-quota': { type: 'string' },
  'job-timeout-seconds': { type: 'string' },
  'tracking-uri': { type: 'string' },
  'ui-url': { type: 'string' },
  'tracking-env': { type: 'string', multiple: true },
  'artifact-env': { type: 'string', multiple: true },
  local: { type: 'boolean' },
  revoke: { type: 'boolean' },
  group: { type: 'string', multiple: true },
  admin: { type: 'boolean' },
  user: { type: 'string' },
  'expires-in': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const;

class UsageError extends Error {}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${flag} must be a non-negative number (got "${value}")`);
  }
  return n;
}

/** `--job-isolation`, else $PRIMEHUB_LOCAL_JOB_ISOLATION, else auto. */
function isolation(flag?: string): IsolationMode {
  try {
    return isolationMode(flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Why jobs would not be isolated: this machine cannot sandbox them (or $PRIMEHUB_LOCAL_JOB_ISOLATION
 * turns it off), or the data directory's server was started without a sandbox.
 */
function unisolatedReason(dataDir: string): string | undefined {
  const sandbox = detectSandbox(isolation());
  if (!sandbox.available) {
    return sandbox.reason;
  }
  let recorded: { isolation?: string; reason?: string } = {};
  try {
    recorded = JSON.parse(readFileSync(new DataDir(dataDir).jobIsolation, 'utf8'));
  } catch {
    // No server has started here yet.
  }
  return recorded.isolation !== undefined && recorded.isolation !== 'sandbox'
    ? `PrimeHub Local runs jobs without a safe sandbox: ${recorded.reason}`
    : undefined;
}

/** Opens the data directory's database for the admin commands (safe while the server runs: WAL). */
function openIdentity(dataDir: string): IdentityStore {
  const dirs = new DataDir(dataDir);
  dirs.create();
  const identity = new IdentityStore(openDatabase(dirs.database));
  if (identity.isEmpty()) {
    seedDefaults(identity);
  }
  return identity;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const [command, sub, name] = positionals;
  switch (command) {
    case 'start':
      return start(dataDir, values);
    case 'group': {
      if (sub === 'set-mlflow' && name) {
        return setMlflow(dataDir, name, values);
      }
      if (sub !== 'add' || !name) {
        throw new UsageError('usage: primehub-local group add NAME [options] | group set-mlflow NAME [options]');
      }
      const g = openIdentity(dataDir).addGroup({
        name,
        displayName: values['display-name'],
        cpuQuota: num(values['cpu-quota'], 'cpu-quota'),
        memoryQuota: num(values['memory-quota'], 'memory-quota'),
        gpuQuota: num(values['gpu-quota'], 'gpu-quota'),
        userCpuQuota: num(values['user-cpu-quota'], 'user-cpu-quota'),
        userMemoryQuota: num(values['user-memory-quota'], 'user-memory-quota'),
        userGpuQuota: num(values['user-gpu-quota'], 'user-gpu-quota'),
        jobDefaultActiveDeadlineSeconds: num(values['job-timeout-seconds'], 'job-timeout-seconds')
      });
      console.log(`group ${g.name} added (id ${g.id})`);
      return 0;
    }
    case 'user': {
      if (sub !== 'add' || !name) {
        throw new UsageError('usage: primehub-local user add NAME --group G [--admin]');
      }
      const groups = values.group ?? [];
      if (groups.length === 0) {
        throw new UsageError('user add needs at least one --group');
      }
      const identity = openIdentity(dataDir);
      if (!identity.isEmpty() && !values['allow-unisolated-jobs']) {
        const why = unisolatedReason(dataDir);
        if (why) {
          throw new UsageError(
            `jobs are not isolated here (${why}): every user's jobs could read and write ` +
              `every group's files and the other users' tokens. Add the user anyway with --allow-unisolated-jobs.`
          );
        }
      }
      const u = identity.addUser(name, groups, values.admin ?? false);
      console.log(`user ${u.username} added to ${groups.join(', ')}${values.admin ? ' as admin' : ''}`);
      return 0;
    }
    case 'token': {
      if (values.revoke) {
        // from standard input: a token on the command line would show in every process listing
        const token = readFileSync(0, 'utf8').trim();
        if (!token) {
          throw new UsageError('usage: primehub-local token --revoke < file-holding-the-token');
        }
        if (!openIdentity(dataDir).revokeToken(token)) {
          console.error('no such API token (it may be revoked already)');
          return 1;
        }
        console.log('API token revoked');
        return 0;
      }
      if (!values.user) {
        throw new UsageError('usage: primehub-local token --user NAME');
      }
      console.log(openIdentity(dataDir).issueToken(values.user, num(values['expires-in'], 'expires-in')));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

/** `K=V` flags as a map; V may hold '=' and be empty. */
function envFlags(values: string[] | undefined, flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of values ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new UsageError(`--${flag} takes NAME=VALUE (got "${pair}")`);
    }
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

/** `group set-mlflow`: the group's own MLflow (PrimeHub's group settings), or back to PrimeHub Local's. */
function setMlflow(dataDir: string, name: string, values: Record<string, unknown>): number {
  const v = values as { local?: boolean; 'tracking-uri'?: string; 'ui-url'?: string } & Record<string, unknown>;
  const identity = openIdentity(dataDir);
  if (v.local) {
    if (v['tracking-uri'] || v['ui-url'] || values['tracking-env'] || values['artifact-env']) {
      throw new UsageError('--local takes no other MLflow option');
    }
    identity.setGroupMlflow(name, null);
    console.log(`group ${name} uses PrimeHub Local's MLflow`);
    return 0;
  }
  if (!v['tracking-uri']) {
    throw new UsageError('usage: primehub-local group set-mlflow NAME --tracking-uri URL [options] | --local');
  }
  const setting = validateMlflowSetting({
    trackingUri: v['tracking-uri'],
    uiUrl: v['ui-url'],
    trackingEnvs: envFlags(values['tracking-env'] as string[] | undefined, 'tracking-env'),
    artifactEnvs: envFlags(values['artifact-env'] as string[] | undefined, 'artifact-env')
  });
  identity.setGroupMlflow(name, setting);
  // the values may be credentials: only their names are printed
  console.log(`group ${name} uses the MLflow at ${JSON.parse(setting).trackingUri} (applies to jobs started from now)`);
  return 0;
}

async function start(dataDir: string, values: Record<string, unknown>): Promise<number> {
  const v = values as Record<string, string | undefined>;
  const log = createLogger((v['log-level'] as LogLevel | undefined) ?? 'info');
  const limitMb = num(v['artifact-limit-mb'], 'artifact-limit-mb');
  const uploadMb = num(v['max-upload-mb'], 'max-upload-mb');
  const server = new LocalServer({
    dataDir,
    host: v.host ?? '127.0.0.1',
    port: num(v.port, 'port') ?? 8321,
    publicUrl: v['public-url'],
    cpus: num(v.cpus, 'cpus'),
    memoryGb: num(v['memory-gb'], 'memory-gb'),
    artifactLimits: {
      maxBytes: limitMb === undefined ? undefined : limitMb * 1024 * 1024,
      maxFiles: num(v['artifact-limit-files'], 'artifact-limit-files'),
      retentionSeconds: num(v['artifact-retention-seconds'], 'artifact-retention-seconds')
    },
    maxUploadBytes: uploadMb === undefined ? undefined : uploadMb * 1024 * 1024,
    jobIsolation: isolation(v['job-isolation']),
    mlflow: values['no-mlflow'] !== true,
    sshPort: num(v['ssh-port'], 'ssh-port'),
    notebooks: { users: (values['notebook-user'] as string[] | undefined) ?? [], ssh: values.ssh === true },
    logger: log
  });
  await server.start();
  console.log(`PrimeHub Local is running`);
  console.log(`  GraphQL endpoint: ${server.endpoint}`);
  console.log(`  API token (user phuser, group ${DEFAULT_GROUP}): ${server.dirs.userConfig}`);
  console.log(`  data directory: ${dataDir}`);
  const mlflow = server.mlflowStatus;
  console.log(
    mlflow?.url
      ? `  MLflow: ${mlflow.url} (${mlflow.state}; log ${server.dirs.mlflowLog})`
      : `  MLflow: off (${mlflow?.reason ?? 'not started'})`
  );
  const bastion = server.bastionStatus;
  console.log(
    bastion?.port !== undefined
      ? `  SSH bastion: ${bastion.user}@${bastion.host} port ${bastion.port}`
      : `  SSH bastion: off (${bastion?.reason ?? 'not started'})`
  );
  console.log(`  stop with Ctrl+C`);
  await new Promise<void>(resolve => {
    const stop = (signal: string) => {
      log.info(`${signal}: stopping`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.stop();
  log.info('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  err => {
    if (
      err instanceof UsageError ||
      err instanceof ApiError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`primehub-local: ${(err as Error).message}`);
      process.exit(2);
    }
    if (err instanceof SandboxUnavailableError) {
      console.error(`primehub-local: ${err.message}`);
      process.exit(1);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `primehub-local: ${(err as Error).message}: is PrimeHub Local already running? Pick another --port.`
      );
      process.exit(1);
    }
    console.error(`primehub-local: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
);
