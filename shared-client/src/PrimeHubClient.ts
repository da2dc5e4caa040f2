import type { ClientContext } from './ClientContext';
import { AuthError, FeatureUnavailableError, NotFoundError, ValidationError } from './errors';
import { completeLogger, Logger, redactingLogger } from './logger';
import { EFFECTIVE_GROUPS, LICENSE } from './operations/identity';
import type { Operation } from './operations/defineOperation';
import { ExtraHeaders, RequestHook, Requester, RestRequest, RestResult } from './Requester';
import { DeploymentsApi } from './resources/DeploymentsApi';
import { FilesApi } from './resources/FilesApi';
import { GroupsApi } from './resources/GroupsApi';
import { JobsApi } from './resources/JobsApi';
import { MeApi } from './resources/MeApi';
import { ModelsApi } from './resources/ModelsApi';
import { NotebookJobsApi } from './resources/NotebookJobsApi';
import { SchedulesApi } from './resources/SchedulesApi';
import { SshApi } from './resources/SshApi';
import { RetryOptions, retryPolicy } from './retry';
import { FetchTransport } from './transport/FetchTransport';
import type { Transport } from './transport/types';
import type { CallOptions, Edition, GroupRef, License } from './types';

/** Options of a PrimeHubClient: `endpoint` or `baseUrl` is required. */
export interface PrimeHubClientOptions {
  /** GraphQL endpoint, e.g. `https://primehub.example.com/api/graphql`. */
  endpoint?: string;
  /**
   * Base URL of the PrimeHub API instead of `endpoint`: GraphQL is `<baseUrl>/graphql`, files
   * `<baseUrl>/files/…`, and the absolute log URLs the server returns are fetched as
   * `<baseUrl>/logs/…`. A relative URL is resolved against the page (`document.baseURI`), e.g.
   * JupyterLab's `<base_url>primehub-suite/proxy/api`, a same-origin proxy that adds the token
   * server-side (then no `token` is needed in the browser).
   */
  baseUrl?: string;
  /**
   * Headers added to every request to the API's origin (not to other hosts), e.g. Jupyter's
   * `X-XSRFToken`; a function is called for each request.
   */
  headers?: ExtraHeaders;
  /** Wraps every request (`(request, send) => send(request)`), like octokit's `hook.wrap`. */
  hook?: RequestHook;
  /**
   * Called whenever PrimeHub refuses a call for its token (expired or revoked), whichever API
   * made it: the one place a UI learns to offer "Sign in again". The call still rejects with the
   * `AuthError`.
   */
  onAuthError?: (error: AuthError) => void;
  /** PrimeHub API token. */
  token?: string;
  /** Called before each request instead of a fixed `token` (e.g. to read a secret store). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** Current group name (resolved to its id through `me.effectiveGroups`). */
  group?: string;
  /** HTTP transport; default: undici in the Node entry point, `fetch` in the browser one. */
  transport?: Transport;
  /**
   * Per-call timeout (ms): the whole call for ordinary calls, the wait for response headers for
   * streams (downloads, logs); 0 disables. Default 30 000. The client owns every timeout: its
   * transports keep no timers of their own.
   */
  timeoutMs?: number;
  /** Idle time between two chunks of a streamed body (ms); 0 disables. Default 60 000. */
  bodyTimeoutMs?: number;
  /** Retry policy for idempotent reads, or `false`. Default 3 retries from 250 ms. */
  retry?: RetryOptions | false;
  /** Receives redacted debug/info/warn/error lines; default: discard. */
  logger?: Partial<Logger>;
  /** Poll interval of wait helpers (ms). Default 1 000. */
  pollIntervalMs?: number;
  /**
   * Rewrites every URL before sending, e.g. to route absolute log/endpoint URLs through a
   * same-origin proxy in JupyterLab.
   */
  rewriteUrl?: (url: string) => string;
}

/** The page URL relative base URLs resolve against (browsers), if any. */
function pageUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

/** The absolute API base URL (no trailing slash) of a `baseUrl` option. */
function resolveBaseUrl(baseUrl: string): string {
  let u: URL;
  try {
    u = new URL(baseUrl, pageUrl());
  } catch {
    throw new ValidationError(
      `baseUrl is not a URL: ${baseUrl}${pageUrl() ? '' : ' (a relative baseUrl needs a page URL: use it in a browser)'}`
    );
  }
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/**
 * Routes the absolute log URLs the server hands out (`<origin><prefix>/logs/…`) through the
 * API base URL, so a proxy in front of the API serves them too.
 */
function throughBase(base: string): (url: string) => string {
  return url => {
    if (url.startsWith(`${base}/`)) {
      return url;
    }
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return url;
    }
    const i = u.pathname.indexOf('/logs/');
    return i < 0 ? url : `${base}${u.pathname.slice(i)}${u.search}`;
  };
}

function validEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new ValidationError(`endpoint is not a URL: ${endpoint}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ValidationError(`endpoint must be http(s): ${endpoint}`);
  }
  return u.toString();
}

/**
 * The PrimeHub API client: typed namespaces over one transport.
 *
 * @example
 * const client = new PrimeHubClient({ endpoint, token, group: 'phusers' });
 * const job = await client.jobs.submit({ displayName: 'train', instanceType: 'cpu-1', image: 'base-notebook', command: 'python train.py' });
 * for await (const line of client.jobs.logs(job.id, { follow: true })) console.log(line);
 */
export class PrimeHubClient {
  /** The GraphQL endpoint. */
  readonly endpoint: string;
  readonly me: MeApi;
  readonly groups: GroupsApi;
  readonly jobs: JobsApi;
  readonly schedules: SchedulesApi;
  readonly files: FilesApi;
  readonly models: ModelsApi;
  readonly deployments: DeploymentsApi;
  /** Notebooks as papermill jobs (parameters, sweeps). */
  readonly notebook: NotebookJobsApi;
  /** A notebook's SSH server: its status, the bastion, the config block and the on/off switch. */
  readonly ssh: SshApi;

  /** Redacting logger used by the client. */
  protected readonly logger: Logger;
  protected readonly transport: Transport;
  private readonly requester: Requester;
  private readonly secrets = new Set<string>();
  private groupName?: string;
  private groupsPromise?: Promise<GroupRef[]>;
  private editionPromise?: Promise<Edition>;

  constructor(options: PrimeHubClientOptions) {
    if (!options || (typeof options.endpoint !== 'string' && typeof options.baseUrl !== 'string')) {
      throw new ValidationError('endpoint or baseUrl is required');
    }
    const base = typeof options.baseUrl === 'string' ? resolveBaseUrl(options.baseUrl) : undefined;
    this.endpoint = validEndpoint(base ? `${base}/graphql` : (options.endpoint as string));
    const userRewrite = options.rewriteUrl ?? ((u: string) => u);
    const viaBase = base ? throughBase(base) : undefined;
    this.groupName = options.group || undefined;
    if (options.token) {
      this.secrets.add(options.token);
    }
    this.logger = redactingLogger(completeLogger(options.logger), () => [...this.secrets]);
    this.transport = options.transport ?? this.defaultTransport();
    const getToken = async (): Promise<string | undefined> => {
      const t = options.getToken ? await options.getToken() : options.token;
      if (t) {
        this.addSecret(t);
      }
      return t;
    };
    this.requester = new Requester({
      transport: this.transport,
      endpoint: this.endpoint,
      getToken,
      secrets: () => [...this.secrets],
      logger: this.logger,
      retry: retryPolicy(options.retry),
      timeoutMs: options.timeoutMs ?? 30_000,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
      rewriteUrl: viaBase ? u => userRewrite(viaBase(u)) : userRewrite,
      headers: options.headers,
      hook: options.hook,
      onAuthError: options.onAuthError
    });
    const ctx: ClientContext = {
      requester: this.requester,
      logger: this.logger,
      endpoint: this.endpoint,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      resolveGroup: (name, opts) => this.group({ ...opts, group: name }),
      addSecret: s => this.addSecret(s)
    };
    this.me = new MeApi(ctx);
    this.groups = new GroupsApi(ctx);
    this.files = this.createFiles(ctx, options);
    this.jobs = this.createJobs(ctx, this.files);
    this.schedules = new SchedulesApi(ctx);
    this.models = new ModelsApi(ctx);
    this.deployments = new DeploymentsApi(ctx);
    this.ssh = new SshApi(ctx);
    this.notebook = new NotebookJobsApi(this.jobs, this.files, this.schedules, async o => (await this.group(o)).name);
  }

  /** The transport used when none is given (overridden by the Node entry point). */
  protected defaultTransport(): Transport {
    return new FetchTransport();
  }

  /** The `files` namespace (the Node entry point's adds local disk transfers). */
  protected createFiles(ctx: ClientContext, _options: PrimeHubClientOptions): FilesApi {
    return new FilesApi(ctx);
  }

  /** The `jobs` namespace (the Node entry point's adds artifact downloads to disk). */
  protected createJobs(ctx: ClientContext, files: FilesApi): JobsApi {
    return new JobsApi(ctx, files);
  }

  private addSecret(secret: string): void {
    if (secret && this.secrets.size < 64) {
      this.secrets.add(secret);
    }
  }

  /** The current group name, if any. */
  get currentGroupName(): string | undefined {
    return this.groupName;
  }

  /** Switches the current group (resolved lazily on the next call). */
  setGroup(name: string | undefined): void {
    this.groupName = name || undefined;
  }

  /** The user's effective groups `{id, name, displayName}`, cached per client. */
  async effectiveGroups(opts: CallOptions & { refresh?: boolean } = {}): Promise<GroupRef[]> {
    if (opts.refresh || !this.groupsPromise) {
      // shared by concurrent callers, so it is not bound to any one caller's signal
      const p = this.requester
        .graphql(EFFECTIVE_GROUPS, {}, { timeoutMs: opts.timeoutMs })
        .then(d => d.me?.effectiveGroups ?? []);
      this.groupsPromise = p;
      p.catch(() => {
        if (this.groupsPromise === p) {
          this.groupsPromise = undefined;
        }
      });
    }
    return raceAbort(this.groupsPromise, opts.signal);
  }

  /** Resolves the current group (or `opts.group`) by name. */
  async group(opts: CallOptions & { group?: string } = {}): Promise<GroupRef> {
    const name = opts.group ?? this.groupName;
    if (!name) {
      throw new ValidationError('no group selected: pass `group` or set PRIMEHUB_GROUP');
    }
    const groups = await this.effectiveGroups(opts);
    const found = groups.find(g => g.name === name) ?? groups.find(g => g.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      throw new NotFoundError(
        `group "${name}" is not among your groups (${groups.map(g => g.name).join(', ') || 'none'})`
      );
    }
    return found;
  }

  /** License details; FeatureUnavailableError on a CE server. */
  async license(opts: CallOptions = {}): Promise<License | null> {
    const data = await this.requester.graphql(LICENSE, {}, opts);
    return data.license;
  }

  /** `'ee'` or `'ce'`: a CE server rejects the `license` field (HTTP 400 validation). Cached. */
  async edition(opts: CallOptions = {}): Promise<Edition> {
    if (!this.editionPromise) {
      const p = this.license({ timeoutMs: opts.timeoutMs }).then(
        (): Edition => 'ee',
        (err: unknown): Edition => {
          if (err instanceof FeatureUnavailableError && err.serverCode === 'GRAPHQL_VALIDATION_FAILED') {
            return 'ce';
          }
          throw err;
        }
      );
      this.editionPromise = p;
      p.catch(() => {
        if (this.editionPromise === p) {
          this.editionPromise = undefined;
        }
      });
    }
    return raceAbort(this.editionPromise, opts.signal);
  }

  /** Runs any GraphQL operation (for operations not covered by a namespace). */
  graphql<TData, TVariables>(
    op: Operation<TData, TVariables>,
    variables: TVariables,
    opts: CallOptions = {}
  ): Promise<TData> {
    return this.requester.graphql(op, variables, opts);
  }

  /** A buffered REST call with the client's auth, timeouts, retries and error mapping. */
  rest(req: RestRequest, opts: CallOptions = {}): Promise<RestResult> {
    return this.requester.rest(req, opts);
  }

  /**
   * Ends every call in flight at once (log follows end, other calls reject with
   * ClientClosedError), then closes the connections the client owns (an injected transport is
   * closed too if it can be). Calls made afterwards reject with ClientClosedError.
   */
  async close(): Promise<void> {
    this.requester.close();
    await this.transport.close?.();
  }
}

/** Resolves like `p`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    return p;
  }
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      v => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      e => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      }
    );
  });
}
