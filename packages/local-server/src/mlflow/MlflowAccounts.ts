import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataDir } from '../DataDir';
import type { Logger } from '../logger';
import { MlflowHttp, MlflowNoAnswer } from './MlflowHttp';
import type { MlflowState } from './MlflowServer';

/** MLflow's super-admin, used by PrimeHub Local only (provisioning); no group gets it. */
export const MLFLOW_ADMIN_USERNAME = 'primehub-admin';
/** The role each group's user holds in the group's workspace. */
export const MLFLOW_GROUP_ROLE = 'primehub-group';
/** The experiment a group's runs land in when the code names none (`MLFLOW_EXPERIMENT_NAME`). */
export const MLFLOW_DEFAULT_EXPERIMENT = 'Default';

/**
 * What a group's role grants in its own workspace: membership (`USE`: enter it, create in it) and `MANAGE` on
 * every experiment (with its runs, logged models and artifacts), registered model and prompt in it, whoever
 * created them, since all of a group's jobs and notebooks share the one user and may delete what they logged.
 * Not workspace `MANAGE`: that would let a group create MLflow users and hand out roles.
 */
const GROUP_GRANTS: ReadonlyArray<readonly [resourceType: string, permission: string]> = [
  ['workspace', 'USE'],
  ['experiment', 'MANAGE'],
  ['registered_model', 'MANAGE'],
  ['prompt', 'MANAGE']
];

/** MLflow's workspace names: Kubernetes-style, 2 to 63 characters; these are taken by MLflow. */
const WORKSPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RESERVED_WORKSPACES = new Set(['default', 'workspaces', 'api', 'ajax-api', 'static-files']);
/** The ending of a derived workspace name; names kept as they are never end like this, so the two never meet. */
const HASHED = /-[0-9a-f]{8}$/;

/**
 * The MLflow workspace of a PrimeHub group: its name where that is a valid, unreserved workspace name (e.g.
 * `phusers`), otherwise a lower-case form with the name's hash appended (`Team_X` → `team-x-1a2b3c4d`), so two
 * groups never share one.
 */
export function mlflowWorkspace(groupName: string): string {
  if (groupName.length >= 2 && WORKSPACE_NAME.test(groupName) && !RESERVED_WORKSPACES.has(groupName)) {
    if (!HASHED.test(groupName)) {
      return groupName;
    }
  }
  const hash = createHash('sha256').update(groupName).digest('hex').slice(0, 8);
  const slug = groupName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63 - hash.length - 1);
  // Group names start with a letter or digit (IdentityStore), so the slug does too.
  return `${slug}-${hash}`;
}

/** The MLflow user of a PrimeHub group (never the admin's name, whatever the group is called). */
export function mlflowUsername(groupName: string): string {
  return `group-${mlflowWorkspace(groupName)}`;
}

/** Where MLflow's authentication keeps its state under the data directory's `mlflow` folder. */
export function mlflowAuthFiles(dirs: DataDir): { secret: string; config: string; database: string } {
  return {
    secret: join(dirs.mlflow, 'auth-secret'),
    config: join(dirs.mlflow, 'basic_auth.ini'),
    database: join(dirs.mlflow, 'auth.db')
  };
}

export interface MlflowAccountsOptions {
  /** Bound on each HTTP request to MLflow while provisioning (default 30 s). */
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface RoleJson {
  id: number;
  name: string;
  workspace: string;
  permissions?: Array<{ resource_type: string; resource_pattern: string; permission: string }>;
}

/**
 * Keeps the groups of PrimeHub Local apart in its one MLflow server: each group has an MLflow *workspace* of its
 * own and an MLflow *user* that holds a role only in that workspace (`mlflow server --app-name basic-auth
 * --enable-workspaces`, `default_permission = NO_PERMISSIONS`, no access to MLflow's `default` workspace).
 *
 * Why workspaces, decided by trying both against MLflow 3.17 (test/local-server/mlflowIsolation.test.ts attacks
 * it): basic-auth alone does keep users apart by per-resource grants, but experiment and registered-model names
 * are global there, so group B could not create an experiment `iris` once group A had one, and would learn that
 * A has it. With workspaces, names are per workspace; MLflow checks every request against the workspace the
 * resource lives in (not the `X-MLFLOW-WORKSPACE` header the client sends), stores artifacts under
 * `workspaces/<name>/`, refuses an experiment's own `artifact_location` and model-version sources outside the
 * caller's reach, and filters searches to what the caller may read. One server for every group, as a server per
 * group costs about 500 MiB each.
 *
 * Credentials: one random secret, kept 0600 in `<data dir>/mlflow/auth-secret`, from which the admin password,
 * every group's password (an HMAC of the group's name, so a group's jobs learn nothing of another's) and the Flask
 * secret key are derived: stable across restarts, never logged, never on a command line. MLflow's user store
 * (`auth.db`) holds nothing that cannot be made again from the groups, so a lost secret means a fresh `auth.db`.
 *
 * A group's jobs and notebooks get {@link trackingEnvs}; they may change their user's password through MLflow's
 * API, which {@link provision} puts back.
 */
export class MlflowAccounts {
  private secret?: Buffer;
  /** Whether this process made the secret (an `auth.db` from before it was made with another). */
  private madeSecret = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;

  constructor(
    private readonly dirs: DataDir,
    opts: MlflowAccountsOptions = {}
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /**
   * Synchronous: the MLflow client variables of a group for PrimeHub Local's own MLflow: its user and password
   * (`MLFLOW_TRACKING_USERNAME`, `MLFLOW_TRACKING_PASSWORD`), its workspace (`MLFLOW_WORKSPACE`), and
   * `MLFLOW_EXPERIMENT_NAME=Default`, the group's own default experiment (MLflow's experiment 0 lives in the
   * `default` workspace, out of a group's reach, so `mlflow.start_run()` without an experiment would be refused).
   * Not the tracking URI, which is {@link MlflowServer.url}. Contains a password: never log it.
   */
  trackingEnvs(groupName: string): Record<string, string> {
    return {
      MLFLOW_TRACKING_USERNAME: mlflowUsername(groupName),
      MLFLOW_TRACKING_PASSWORD: this.groupPassword(groupName),
      MLFLOW_WORKSPACE: mlflowWorkspace(groupName),
      MLFLOW_EXPERIMENT_NAME: MLFLOW_DEFAULT_EXPERIMENT
    };
  }

  /**
   * Writes MLflow's auth config (0600, the admin password in it) and returns the environment `mlflow server
   * --app-name basic-auth` needs. Removes an `auth.db` left from an earlier secret (see the class comment).
   */
  prepareServer(): Record<string, string> {
    const files = mlflowAuthFiles(this.dirs);
    this.loadSecret();
    if (this.madeSecret && existsSync(files.database)) {
      for (const f of [files.database, `${files.database}-wal`, `${files.database}-shm`, `${files.database}-journal`]) {
        rmSync(f, { force: true });
      }
    }
    if (/[\r\n]/.test(files.database)) {
      throw new Error(`the data directory's path cannot hold a line break (${JSON.stringify(this.dirs.root)})`);
    }
    // configparser interpolates '%'.
    const ini = (value: string): string => value.replace(/%/g, '%%');
    const text = [
      '# Written by PrimeHub Local at every start of its MLflow; edits are lost.',
      '[mlflow]',
      'default_permission = NO_PERMISSIONS',
      `database_uri = ${ini(`sqlite:///${files.database}`)}`,
      `admin_username = ${MLFLOW_ADMIN_USERNAME}`,
      // Used by MLflow only when it makes the admin user in an empty auth.db.
      `admin_password = ${this.adminPassword()}`,
      'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
      'grant_default_workspace_access = false',
      // A password check is a scrypt hash, 0.3 to 0.7 s on a busy machine: for every request without the cache.
      // One worker, and password changes through MLflow's API clear the entry, so it is never stale.
      'auth_cache_ttl_seconds = 300',
      ''
    ].join('\n');
    const tmp = `${files.config}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, files.config);
    return {
      MLFLOW_AUTH_CONFIG_PATH: files.config,
      MLFLOW_FLASK_SERVER_SECRET_KEY: this.derive('flask-secret-key'),
      // MLflow would add `admin` and `user` roles to every workspace; groups get ours only.
      MLFLOW_RBAC_SEED_DEFAULT_ROLES: 'false'
    };
  }

  /**
   * Once MLflow answers (and again whenever called with new groups): creates each group's workspace, user, role
   * and default experiment where missing, and puts back a password a group changed; idempotent, as MLflow's admin.
   * Calls are run one after another. Rejects with what MLflow answered (never a password) on the first failure.
   */
  provision(trackingUri: string, groupNames: string[]): Promise<void> {
    const run = this.queue.then(() => this.provisionAll(trackingUri.replace(/\/+$/, ''), groupNames));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async provisionAll(base: string, groupNames: string[]): Promise<void> {
    const http = new MlflowHttp(1);
    try {
      for (const name of new Set(groupNames)) {
        await this.provisionGroup(base, http, name);
      }
    } finally {
      await http.close();
    }
  }

  private async provisionGroup(base: string, http: MlflowHttp, group: string): Promise<void> {
    const workspace = mlflowWorkspace(group);
    const username = mlflowUsername(group);
    const password = this.groupPassword(group);
    const admin = basic(MLFLOW_ADMIN_USERNAME, this.adminPassword());
    const call = async (what: string, method: string, path: string, body?: object, opts: CallOptions = {}) => {
      const res = await this.call(http, base, method, path, body, { auth: admin, ...opts });
      if (res.status === 401 && opts.auth === undefined) {
        throw new Error(
          `MLflow refuses PrimeHub Local's admin account while provisioning group "${group}" (${what}); its user ` +
            `store ${mlflowAuthFiles(this.dirs).database} was made with another secret: stop PrimeHub Local and ` +
            `remove that file (every group's account is made again)`
        );
      }
      const expected =
        (opts.exists && errorCode(res) === 'RESOURCE_ALREADY_EXISTS') || (opts.missing && res.status === 404);
      if (res.status >= 300 && !expected) {
        throw new Error(`MLflow: ${what} for group "${group}" failed: ${describe(res)}`);
      }
      return res;
    };

    await call(
      'creating its workspace',
      'POST',
      '/api/3.0/mlflow/workspaces',
      {
        name: workspace,
        description: `PrimeHub group ${group}`
      },
      { exists: true }
    );

    const created = await call(
      'creating its user',
      'POST',
      '/api/2.0/mlflow/users/create',
      { username, password },
      {
        exists: true
      }
    );
    if (created.status >= 300) {
      // It exists: put its password back if a job changed it.
      const self = await this.call(http, base, 'GET', '/api/2.0/mlflow/users/current', undefined, {
        auth: basic(username, password)
      });
      if (self.status === 401) {
        await call('resetting its password', 'PATCH', '/api/2.0/mlflow/users/update-password', { username, password });
      } else if (self.status >= 300) {
        throw new Error(`MLflow: checking the user of group "${group}" failed: ${describe(self)}`);
      }
    }

    const held = await call('listing its roles', 'GET', `/api/3.0/mlflow/users/roles/list?${query({ username })}`);
    let role = roles(held).find(r => r.name === MLFLOW_GROUP_ROLE && r.workspace === workspace);
    const missing = (r?: RoleJson) =>
      GROUP_GRANTS.filter(
        ([type, permission]) =>
          !r?.permissions?.some(
            p => p.resource_type === type && p.resource_pattern === '*' && p.permission === permission
          )
      );
    if (!role || missing(role).length > 0) {
      if (!role) {
        const listed = await call(
          'listing its workspace roles',
          'GET',
          `/api/3.0/mlflow/roles/list?${query({ workspace })}`
        );
        role = roles(listed).find(r => r.name === MLFLOW_GROUP_ROLE && r.workspace === workspace);
      }
      if (!role) {
        const made = await call('creating its role', 'POST', '/api/3.0/mlflow/roles/create', {
          workspace,
          name: MLFLOW_GROUP_ROLE,
          description: `The members of PrimeHub group ${group}`
        });
        role = made.body.role as RoleJson;
      }
      for (const [resourceType, permission] of missing(role)) {
        await call('granting its role', 'POST', '/api/3.0/mlflow/roles/permissions/add', {
          role_id: role.id,
          resource_type: resourceType,
          resource_pattern: '*',
          permission
        });
      }
      await call(
        'assigning its role',
        'POST',
        '/api/3.0/mlflow/roles/assign',
        { username, role_id: role.id },
        {
          exists: true
        }
      );
    }

    const inWorkspace = { workspace };
    const found = await call(
      'looking up its default experiment',
      'GET',
      `/api/2.0/mlflow/experiments/get-by-name?${query({ experiment_name: MLFLOW_DEFAULT_EXPERIMENT })}`,
      undefined,
      { ...inWorkspace, missing: true }
    );
    if (found.status === 404) {
      await call(
        'creating its default experiment',
        'POST',
        '/api/2.0/mlflow/experiments/create',
        {
          name: MLFLOW_DEFAULT_EXPERIMENT
        },
        { ...inWorkspace, exists: true }
      );
    }
  }

  /** One request to MLflow, bounded by the timeout; transport failures become errors naming the request. */
  private async call(
    http: MlflowHttp,
    base: string,
    method: string,
    path: string,
    body: object | undefined,
    opts: CallOptions & { auth: string }
  ): Promise<Answer> {
    const headers: Record<string, string> = { authorization: opts.auth, accept: 'application/json' };
    if (opts.workspace) {
      headers['x-mlflow-workspace'] = opts.workspace;
    }
    try {
      const res = await http.send(`${base}${path}`, {
        method: method as 'GET',
        headers,
        json: body,
        timeoutMs: this.timeoutMs
      });
      let parsed: Record<string, unknown>;
      try {
        parsed = res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {};
      } catch {
        parsed = { message: res.text };
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      const why = err instanceof MlflowNoAnswer ? err.why : String(err);
      throw new Error(`MLflow at ${base} did not answer ${method} ${path.split('?')[0]}: ${why}`);
    }
  }

  private groupPassword(groupName: string): string {
    return this.derive(`group:${groupName}`);
  }

  private adminPassword(): string {
    return this.derive('admin');
  }

  private derive(label: string): string {
    return createHmac('sha256', this.loadSecret()).update(`primehub-local mlflow ${label}`).digest('base64url');
  }

  /** The data directory's secret, made (0600) on first use. */
  private loadSecret(): Buffer {
    if (this.secret) {
      return this.secret;
    }
    const file = mlflowAuthFiles(this.dirs).secret;
    mkdirSync(this.dirs.mlflow, { recursive: true, mode: 0o700 });
    try {
      // `wx`: of two processes making it at once, one wins and the other reads it below.
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      this.madeSecret = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      chmodSync(file, 0o600);
    }
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new Error(`${file} is not a PrimeHub Local MLflow secret (64 hex digits); remove it to make a new one`);
    }
    this.secret = Buffer.from(hex, 'hex');
    return this.secret;
  }
}

interface CallOptions {
  /** Another account than the admin's (a `basic` header). */
  auth?: string;
  /** The `X-MLFLOW-WORKSPACE` the request is made in. */
  workspace?: string;
  /** `RESOURCE_ALREADY_EXISTS` is an answer, not an error. */
  exists?: boolean;
  /** 404 is an answer, not an error. */
  missing?: boolean;
}

/**
 * Provisions the groups of the identity store in PrimeHub Local's MLflow: all of them each time MLflow becomes
 * ready ({@link ready}, the `onReady` of {@link MlflowServer}), and while it runs, every few seconds, the groups
 * added since (`primehub-local group add` writes the database from another process, so they are polled for). A
 * failure is logged (once per distinct reason) and retried at the next poll.
 */
export class MlflowGroupSync {
  private url?: string;
  private readonly done = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastError?: string;

  constructor(
    private readonly accounts: MlflowAccounts,
    private readonly groups: () => string[],
    private readonly log: Logger,
    private readonly intervalMs = 3000
  ) {}

  /** For `MlflowServer`'s `onReady`: provisions every group at `url`; never rejects. */
  readonly ready = async (url: string): Promise<void> => {
    this.url = url;
    this.done.clear();
    // A pass begun before this start (against the server that died) must not stand in for a fresh one.
    await this.running;
    await this.sync();
    if (!this.timer) {
      this.timer = setInterval(() => void this.sync(), this.intervalMs);
      this.timer.unref();
    }
  };

  /** Follows MLflow's state: provisioning pauses while it is not running (a restart provisions again). */
  readonly onState = (status: { state: MlflowState }): void => {
    if (status.state !== 'running' && status.state !== 'starting') {
      this.url = undefined;
    }
  };

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.url = undefined;
  }

  /** Provisions the groups not done yet; one pass at a time. */
  sync(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const url = this.url;
    if (!url) {
      return;
    }
    let todo: string[];
    try {
      todo = this.groups().filter(g => !this.done.has(g));
    } catch (err) {
      this.warn(`MLflow accounts: cannot list the groups: ${(err as Error).message}`);
      return;
    }
    if (todo.length === 0) {
      return;
    }
    try {
      await this.accounts.provision(url, todo);
      if (this.url === url) {
        todo.forEach(g => this.done.add(g));
        this.log.info(`MLflow: accounts of ${todo.length} group(s) ready (${todo.join(', ')})`);
        this.lastError = undefined;
      }
    } catch (err) {
      this.warn(`MLflow accounts: ${(err as Error).message}; retrying in ${this.intervalMs / 1000} s`);
    }
  }

  private warn(message: string): void {
    if (message !== this.lastError) {
      this.lastError = message;
      this.log.warn(message);
    }
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function roles(res: Answer): RoleJson[] {
  return Array.isArray(res.body.roles) ? (res.body.roles as RoleJson[]) : [];
}

function errorCode(res: Answer): string | undefined {
  return typeof res.body.error_code === 'string' ? res.body.error_code : undefined;
}

/** MLflow's answer in one short line: its error code and message, cut before any SQL it quotes. */
function describe(res: Answer): string {
  const message = String(res.body.message ?? '')
    .split(/\n| Error: \(/)[0]
    .slice(0, 300);
  return `${res.status}${errorCode(res) ? ` ${errorCode(res)}` : ''}${message ? `: ${message}` : ''}`;
}
