import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { GraphQLSchema } from 'graphql';
import { toGroupPath } from '../DataDir';
import { ApiError, ErrorCode, forbidden, invalidInput, missing } from '../errors';
import type { Services } from '../Services';
import { servePrediction } from '../deployments/predictionProxy';
import { downloadHeaders } from './downloadHeaders';
import { handleGraphql } from './graphqlHandler';
import { streamLog } from '../jobs/logStream';
import type { Logger } from '../logger';
import { segmentsFromUrl } from '../phfs/phfsPath';
import { authenticate } from './auth';
import { refuse, sendError, sendJson } from './httpUtil';
import { MLFLOW_UI_ROUTE, MLFLOW_UI_TICKETS, MlflowUiProxy } from './MlflowUiProxy';
import type { UserRow } from '../db/IdentityStore';
import { NOTEBOOK_SSH_ROUTE, serveNotebookSsh } from '../ssh/sshRoute';

export interface HttpOptions {
  /** Largest PHFS upload accepted, in bytes. */
  maxUploadBytes: number;
}

const LOG_ROUTE = /^\/api\/logs\/namespaces\/[^/]+\/phjobs\/([^/]+)$/;
const POD_LOG_ROUTE = /^\/api\/logs\/namespaces\/[^/]+\/phdeployments\/([^/]+)$/;
/** A deployment's Seldon endpoint: `/deployment/<id>/api/v1.0/predictions` and the rest of its routes. */
const DEPLOYMENT_ROUTE = /^\/deployment\/([^/]+)\/(.*)$/;
const FILES_ROUTE = '/api/files/groups/';

/** A job id from a log URL, percent-decoded; a malformed escape is the client's mistake. */
function decodeJobId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidInput(`malformed percent-encoding in job id "${raw}"`);
  }
}

/**
 * The start of a log answer (a job's or a pod's): its `follow` and `tailLines` read from the query
 * (a bad `tailLines` refused before anything is sent), the headers sent, and a signal that aborts
 * when the client goes away.
 */
function startLog(
  res: ServerResponse,
  query: URLSearchParams
): { follow: boolean; tailLines: number | undefined; signal: AbortSignal } {
  const tail = query.get('tailLines');
  if (tail !== null && !/^\d+$/.test(tail)) {
    throw invalidInput('tailLines must be a non-negative integer');
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  return {
    follow: query.get('follow') === 'true',
    tailLines: tail === null ? undefined : Number(tail),
    signal: abort.signal
  };
}

/** The REST and GraphQL routes of PrimeHub's API server, on one node:http server. */
export function createHttpServer(services: Services, schema: GraphQLSchema, opts: HttpOptions, log: Logger): Server {
  const mlflowUi = new MlflowUiProxy(services, log);
  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () =>
      log.debug(`${req.method} ${req.url?.split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`)
    );
    route(req, res).catch(err => {
      if (err instanceof ApiError) {
        if (!res.headersSent) {
          void refuse(req, res, () => sendError(res, err));
        } else {
          res.destroy();
        }
        return;
      }
      if (
        (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' ||
        (err as Error).message === 'aborted'
      ) {
        res.destroy();
        return;
      }
      log.error(`${req.method} ${req.url?.split('?')[0]} failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) {
        sendJson(res, 500, { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' });
      } else {
        res.destroy();
      }
    });
  });
  // Log follows can stay open for as long as a job runs.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw (undecoded) path is split so that encoded separators and dots can be refused. It is
    // matched first: URL normalisation would turn `/api/files/groups/g/../../../graphql` into another route.
    const rawPath = (req.url ?? '').split('?')[0];
    const deployment = DEPLOYMENT_ROUTE.exec(rawPath);
    if (deployment) {
      // no PrimeHub sign-in: a private endpoint checks its clients' credentials itself. Matched before the URL
      // is parsed, which a prediction has no use for.
      const q = (req.url ?? '').indexOf('?');
      return servePrediction(
        req,
        res,
        services,
        decodeJobId(deployment[1]),
        deployment[2] + (q < 0 ? '' : (req.url ?? '').slice(q))
      );
    }
    const url = new URL(req.url ?? '/', 'http://local');
    if (rawPath.startsWith(FILES_ROUTE)) {
      return serveFile(req, res, rawPath.slice(FILES_ROUTE.length), url.searchParams);
    }
    if (rawPath.startsWith(MLFLOW_UI_ROUTE)) {
      const q = (req.url ?? '').indexOf('?');
      return mlflowUi.serve(req, res, rawPath, q < 0 ? '' : (req.url ?? '').slice(q + 1));
    }
    const path = url.pathname;
    if (path === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      // Says whether jobs are sandboxed and their limits enforced and how MLflow is doing (no secrets; no
      // sign-in needed), and that this server has no PrimeHub console (no API-token page, no job pages) for
      // clients to leave out the links that would lead there.
      sendJson(res, 200, {
        status: 'ok',
        server: 'primehub-local',
        console: false,
        jobs: services.runner.isolation,
        mlflow: services.mlflow.status(),
        ssh: services.bastion.status()
      });
      return;
    }
    if ((path === '/api' || path === '/api/') && req.method === 'GET') {
      res.writeHead(302, { location: '/api/graphql', 'content-length': 0 });
      res.end();
      return;
    }
    if (path === '/api/graphql') {
      if (req.method !== 'POST') {
        throw invalidInput('GraphQL requests are POST requests', 405);
      }
      return handleGraphql(req, res, schema, services, log);
    }
    const sshMatch = NOTEBOOK_SSH_ROUTE.exec(path);
    if (sshMatch) {
      const ssh = { notebooks: services.notebookSsh, bastion: services.bastion };
      return serveNotebookSsh(req, res, ssh, caller(req), decodeJobId(sshMatch[1]));
    }
    if (path === MLFLOW_UI_TICKETS) {
      return mlflowUi.issueTicket(req, res, caller(req));
    }
    const logMatch = LOG_ROUTE.exec(path);
    if (logMatch && req.method === 'GET') {
      return serveLog(req, res, decodeJobId(logMatch[1]), url.searchParams);
    }
    const podLogMatch = POD_LOG_ROUTE.exec(path);
    if (podLogMatch && req.method === 'GET') {
      return servePodLog(req, res, decodeJobId(podLogMatch[1]), url.searchParams);
    }
    throw missing(`no route for ${req.method} ${path}`);
  }

  function caller(req: IncomingMessage): UserRow {
    const auth = authenticate(req.headers.authorization, services.identity);
    if ('error' in auth) {
      throw forbidden(auth.error);
    }
    return auth.user;
  }

  async function serveLog(
    req: IncomingMessage,
    res: ServerResponse,
    jobId: string,
    query: URLSearchParams
  ): Promise<void> {
    // The same check as every GraphQL operation on a job: unknown ids 404, other groups' jobs NOT_AUTH.
    services.jobService.visible(caller(req), jobId);
    const { follow, tailLines, signal } = startLog(res, query);
    await streamLog(services.dirs.jobLog(jobId), res, {
      follow,
      tailLines,
      isClosed: () => services.runner.isClosed(jobId),
      onChange: listener => {
        const forJob = (id: string) => id === jobId && listener();
        services.runner.on('log', forJob);
        services.runner.on('closed', forJob);
        return () => {
          services.runner.off('log', forJob);
          services.runner.off('closed', forJob);
        };
      },
      signal
    });
    res.end();
  }

  /** A deployment replica's log, as a pod's log on PrimeHub: for members of the deployment's group. */
  async function servePodLog(
    req: IncomingMessage,
    res: ServerResponse,
    pod: string,
    query: URLSearchParams
  ): Promise<void> {
    const user = caller(req);
    const owner = services.deploymentRunner.podOwner(pod);
    if (!owner) {
      throw missing(`pods "${pod}" not found`);
    }
    services.deploymentService.visible(user, owner.id);
    const { follow, tailLines, signal } = startLog(res, query);
    const runner = services.deploymentRunner;
    await streamLog(services.dirs.podLog(owner.id, pod), res, {
      follow,
      tailLines,
      isClosed: () => runner.isPodClosed(pod),
      onChange: listener => {
        const forPod = (name: string) => name === pod && listener();
        runner.on('log', forPod);
        runner.on('closed', forPod);
        return () => {
          runner.off('log', forPod);
          runner.off('closed', forPod);
        };
      },
      signal
    });
    res.end();
  }

  async function serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    rawRest: string,
    query: URLSearchParams
  ): Promise<void> {
    // Every answer of the file route, errors included, is taken as the type it says.
    res.setHeader('x-content-type-options', 'nosniff');
    const user = caller(req);
    const slash = rawRest.indexOf('/');
    const groupPath = slash < 0 ? rawRest : rawRest.slice(0, slash);
    const group = services.identity.groupsOfUser(user.id).find(g => toGroupPath(g.name) === groupPath);
    if (!group) {
      throw forbidden('request not authorized');
    }
    const segments = segmentsFromUrl(slash < 0 ? '' : rawRest.slice(slash + 1));
    if (req.method === 'POST' || req.method === 'PUT') {
      const length = req.headers['content-length'];
      await services.phfs.upload(group.name, segments, req, {
        contentLength: length === undefined ? undefined : Number(length),
        maxBytes: opts.maxUploadBytes
      });
      sendJson(res, 200, { success: true });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw invalidInput(`${req.method} is not supported on files`, 405);
    }
    const file = await services.phfs.open(group.name, segments);
    res.writeHead(200, downloadHeaders(file.name, file.size, query.get('download') === '1'));
    if (req.method === 'HEAD') {
      file.stream.destroy();
      res.end();
      return;
    }
    await pipeline(file.stream, res);
  }

  return server;
}
