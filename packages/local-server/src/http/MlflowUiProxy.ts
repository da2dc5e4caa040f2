import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { GroupRow, UserRow } from '../db/IdentityStore';
import { forbidden, invalidInput, mlflowSettingNotFound, notAuth } from '../errors';
import type { Logger } from '../logger';
import { mlflowUiUrl } from '../mlflow/groupMlflow';
import { MlflowNoAnswer } from '../mlflow/MlflowHttp';
import { mlflowAuthHeaders } from '../mlflow/MlflowRest';
import { forwardedHeaders } from './proxyHeaders';
import { MlflowUiSessions } from '../mlflow/MlflowUiSessions';
import type { Services } from '../Services';
import { readBody, sendJson } from './httpUtil';

/** Where each group's MLflow UI is served: `/mlflow-ui/<group, URL-encoded>/`. */
export const MLFLOW_UI_ROUTE = '/mlflow-ui/';
/** The API route that hands out one-time tickets. */
export const MLFLOW_UI_TICKETS = '/api/mlflow-ui/tickets';
const COOKIE = 'phl-mlflow-ui';
/** MLflow's UI loads its assets for a while and may stream a large artifact: a bound on each wait for it. */
const UPSTREAM_TIMEOUT_MS = 60_000;

/**
 * Request headers the proxy sets itself or keeps from MLflow: the browser's cookies are PrimeHub Local's (and
 * other local apps', cookies ignore ports), its `authorization` is not the group's.
 */
const DROPPED_REQUEST = new Set(['host', 'cookie', 'authorization', 'x-mlflow-workspace']);
/** MLflow's user and role administration (`…/mlflow/users/update-password`, `…/roles/assign`, …). */
const ACCOUNT_CHANGES = /^(ajax-)?api\/[^/]+\/mlflow\/(users|roles)\//;
/** A Basic challenge would make the browser ask for MLflow's password; a cookie of MLflow's is not ours to keep. */
const DROPPED_RESPONSE = new Set(['www-authenticate', 'set-cookie']);

/**
 * PrimeHub Local's stand-in for the sign-in that puts a real PrimeHub's MLflow UI behind PrimeHub's own: each
 * group's MLflow UI at `/mlflow-ui/<group>/`, a reverse proxy to PrimeHub Local's MLflow that signs every request
 * in with the group's MLflow account, for browsers holding a session of that group. A signed-in client asks for a
 * one-time ticket ({@link issueTicket}); the browser opens the UI with it once, gets an HttpOnly cookie in return
 * and is sent on to the same address without it. Membership is checked on each request; a session of one group
 * is never accepted on another's path. No password, token, ticket or cookie is logged.
 */
export class MlflowUiProxy {
  readonly sessions = new MlflowUiSessions();

  constructor(
    private readonly services: Services,
    private readonly log: Logger
  ) {}

  /** `POST /api/mlflow-ui/tickets` `{group}` by a member: `{url}`, the group's UI with a ticket (single use, 60 s). */
  async issueTicket(req: IncomingMessage, res: ServerResponse, user: UserRow): Promise<void> {
    if (req.method !== 'POST') {
      throw invalidInput('tickets are asked for with POST', 405);
    }
    let body: { group?: unknown };
    try {
      body = JSON.parse((await readBody(req, 4096)).toString('utf8')) as { group?: unknown };
    } catch {
      throw invalidInput('the body must be JSON: {"group": "<group name>"}');
    }
    if (typeof body !== 'object' || body === null || typeof body.group !== 'string' || !body.group) {
      throw invalidInput('the body must be JSON: {"group": "<group name>"}');
    }
    const group = this.services.identity.groupByName(body.group);
    // A group the caller is not in is refused alike whether it exists or not.
    if (!group || !this.services.identity.isMember(user.id, group.id)) {
      throw notAuth();
    }
    if (group.mlflow) {
      throw invalidInput(
        `group ${group.name} uses an MLflow of its own (set-mlflow): its UI is at its own address, not PrimeHub Local's`
      );
    }
    if (!this.services.localMlflow?.url()) {
      throw mlflowSettingNotFound(group.name);
    }
    const ticket = this.sessions.issueTicket({ userId: user.id, groupId: group.id });
    res.setHeader('cache-control', 'no-store');
    sendJson(res, 200, {
      url: `${mlflowUiUrl(this.services.publicUrl(), group.name)}?ticket=${encodeURIComponent(ticket)}`,
      // MLflow's UI reads the workspace of a deep link (a run's page) from its route, else it opens its home
      workspace: this.services.localMlflow.trackingEnvs(group.name).MLFLOW_WORKSPACE ?? null
    });
  }

  /** Serves `/mlflow-ui/<group>/<rest>`; `rawPath` is the path as sent (still percent-encoded). */
  async serve(req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    const after = rawPath.slice(MLFLOW_UI_ROUTE.length);
    const slash = after.indexOf('/');
    const rawGroup = slash < 0 ? after : after.slice(0, slash);
    const group = this.group(rawGroup);
    if (!group) {
      return page(res, req, 404, 'No such MLflow UI', 'PrimeHub Local serves no MLflow UI at this address.');
    }
    if (slash < 0) {
      // Relative asset and `ajax-api/` paths of MLflow's UI need the trailing slash.
      return redirect(res, `./${rawGroup}/${rawQuery ? `?${rawQuery}` : ''}`);
    }
    const rest = after.slice(slash + 1);
    if (!safeRest(rest)) {
      throw invalidInput('the path must not contain a "." or ".." segment, a backslash or a NUL');
    }
    const query = new URLSearchParams(rawQuery);
    const ticket = query.get('ticket');
    if (ticket !== null) {
      return this.redeem(req, res, group, rest, rawQuery, ticket);
    }
    const sessionId = this.sessionOf(req, group);
    if (!sessionId) {
      return signInPage(res, req, group.name);
    }
    if (isUnsafe(req.method) && !sameOrigin(req.headers)) {
      throw forbidden('a request from another origin');
    }
    if (isUnsafe(req.method) && ACCOUNT_CHANGES.test(decoded(rest))) {
      // The group's MLflow account is shared by its jobs and this proxy: a password changed here would lock both out.
      throw forbidden("the group's MLflow account is PrimeHub Local's to manage");
    }
    await this.forward(req, res, group, rawGroup, rest, rawQuery);
  }

  /** The group a raw path segment names, if it exists and uses PrimeHub Local's MLflow. */
  private group(rawGroup: string): GroupRow | undefined {
    let name: string;
    try {
      name = decodeURIComponent(rawGroup);
    } catch {
      return undefined;
    }
    const group = name ? this.services.identity.groupByName(name) : undefined;
    return group && !group.mlflow ? group : undefined;
  }

  /** The session cookie's id if it is a live session of `group` whose user is still a member. */
  private sessionOf(req: IncomingMessage, group: GroupRow): string | undefined {
    for (const id of cookieValues(req.headers.cookie, COOKIE)) {
      const grant = this.sessions.session(id, group.id);
      if (grant) {
        if (this.services.identity.isMember(grant.userId, group.id)) {
          return id;
        }
        this.sessions.end(id);
      }
    }
    return undefined;
  }

  private redeem(
    req: IncomingMessage,
    res: ServerResponse,
    group: GroupRow,
    rest: string,
    rawQuery: string,
    ticket: string
  ): void {
    const others = rawQuery.split('&').filter(p => p !== '' && !p.startsWith('ticket='));
    if (rest !== '') {
      // The cookie is left without a Path so that it is scoped to the UI's root as the browser sees it (through
      // code-server's `/proxy/<port>/` too, whose prefix this server never learns): so it is set at the root only.
      const next = encodeURIComponent(rest + (others.length ? `?${others.join('&')}` : ''));
      return redirect(
        res,
        `${'../'.repeat(rest.split('/').length - 1) || './'}?ticket=${encodeURIComponent(ticket)}&next=${next}`
      );
    }
    const redeemed = this.sessions.redeem(ticket, group.id);
    if (!redeemed || !this.services.identity.isMember(redeemed.grant.userId, group.id)) {
      return signInPage(res, req, group.name, true);
    }
    const secure = this.services.publicUrl().startsWith('https:') ? '; Secure' : '';
    res.setHeader('set-cookie', `${COOKIE}=${redeemed.sessionId}; HttpOnly; SameSite=Strict${secure}`);
    const next = new URLSearchParams(rawQuery).get('next');
    const target = next !== null && safeNext(next) ? next : others.length ? `?${others.join('&')}` : '';
    this.log.debug(`MLflow UI: a browser of group ${group.name} signed in`);
    redirect(res, `./${target}`);
  }

  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    group: GroupRow,
    rawGroup: string,
    rest: string,
    rawQuery: string
  ): Promise<void> {
    const base = this.services.localMlflow?.url();
    if (!base || this.services.mlflow.status().state !== 'running') {
      return page(
        res,
        req,
        503,
        'MLflow is not running',
        `PrimeHub Local's MLflow is ${this.services.mlflow.status().state}; try again shortly.`
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(forwardedHeaders(req.headers, DROPPED_REQUEST))) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    Object.assign(headers, mlflowAuthHeaders(this.services.localMlflow!.trackingEnvs(group.name)));
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let upstream;
    try {
      upstream = await this.services.mlflowHttp.stream(`${base}/${rest}${rawQuery ? `?${rawQuery}` : ''}`, {
        method: req.method ?? 'GET',
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
        timeoutMs: UPSTREAM_TIMEOUT_MS,
        signal: abort.signal
      });
    } catch (err) {
      if (err instanceof MlflowNoAnswer && !abort.signal.aborted) {
        return page(res, req, 502, 'MLflow did not answer', `PrimeHub Local's MLflow did not answer: ${err.why}.`);
      }
      throw err;
    }
    const out = forwardedHeaders(upstream.headers, DROPPED_RESPONSE);
    const location = out.location;
    if (typeof location === 'string') {
      out.location = rebase(location, base, `${MLFLOW_UI_ROUTE}${rawGroup}/`);
    }
    res.writeHead(upstream.statusCode, out);
    await pipeline(upstream.body, res);
  }
}

/** Each segment of the rest of the path, decoded any number of times, is neither `.` nor `..`, nor holds `\` or NUL. */
function safeRest(rest: string): boolean {
  for (let segment of rest.split('/')) {
    for (;;) {
      if (segment === '.' || segment === '..' || /[\\\0]/.test(segment)) {
        return false;
      }
      let again: string;
      try {
        again = decodeURIComponent(segment);
      } catch {
        break;
      }
      if (again === segment) {
        break;
      }
      segment = again;
    }
  }
  return true;
}

/** `next` leads below the UI's root: a relative path (and query) without scheme, authority or dot segments. */
function safeNext(next: string): boolean {
  const [path] = next.split('?');
  return /^[^/\\:#][^\\#]*$/.test(next) && !path.includes('//') && safeRest(path);
}

/** MLflow's redirect as the browser must follow it: below the group's route. */
function rebase(location: string, mlflowBase: string, route: string): string {
  if (location.startsWith(`${mlflowBase}/`)) {
    return `${route}${location.slice(mlflowBase.length + 1)}`;
  }
  return location.startsWith('/') && !location.startsWith('//') ? `${route}${location.slice(1)}` : location;
}

/** The path as MLflow reads it (decoded once); as sent when it cannot be decoded. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isUnsafe(method: string | undefined): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/** A browser's request from a page of the same origin as the address it was sent to (or no browser's). */
function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) {
    return true;
  }
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

function cookieValues(header: string | undefined, name: string): string[] {
  return (header ?? '')
    .split(';')
    .map(p => p.trim())
    .filter(p => p.startsWith(`${name}=`))
    .map(p => p.slice(name.length + 1));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

function signInPage(res: ServerResponse, req: IncomingMessage, group: string, expired = false): void {
  page(
    res,
    req,
    401,
    `MLflow of group ${group}`,
    `${expired ? 'This link was used already or is more than a minute old. ' : ''}` +
      `This MLflow UI opens from the PrimeHub extension: in VS Code "Open in MLflow UI" on a model version's run, ` +
      `or "MLflow UI" in Compare Runs; in JupyterLab the MLflow link of a model version or of Compare. ` +
      `Each link signs this browser in for a few hours.`
  );
}

/** A small HTML answer; never a Basic challenge. */
function page(res: ServerResponse, req: IncomingMessage, status: number, title: string, text: string): void {
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'x-content-type-options': 'nosniff'
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
