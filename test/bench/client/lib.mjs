// Pieces shared by the client benchmarks: the built client, a bare undici baseline that sends
// the client's exact GraphQL bodies, and RSS sampling of this process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { Pool } from 'undici';
export { makePayload, runCurl, sameSamples, seedJobs } from '../support/data.mjs';
import { REPO_ROOT } from '../support/server.mjs';

const DIST = join(REPO_ROOT, 'shared-client', 'dist', 'index.js');

/** The built client (`@primehub-suite/client`, Node entry point), as an application imports it. */
export async function loadClient() {
  if (!existsSync(DIST)) {
    throw new Error(
      `the client is not built (${DIST} is missing): run \`node node_modules/typescript/bin/tsc -b\` first`
    );
  }
  return import('@primehub-suite/client');
}

/** A client for the bench server's default user and group. */
export async function clientFor(server, options = {}) {
  const { PrimeHubClient } = await loadClient();
  return new PrimeHubClient({ endpoint: server.endpoint, token: server.token, group: server.groupName, ...options });
}

/**
 * The client's own operation, by name (so a baseline sends the same text): from the built
 * operation registry, which no public entry point exports.
 */
export async function operation(name) {
  await loadClient();
  const { ALL_OPERATIONS } = await import(
    pathToFileURL(join(REPO_ROOT, 'shared-client', 'dist', 'operations', 'index.js')).href
  );
  const op = ALL_OPERATIONS.find(o => o.name === name);
  if (!op) {
    throw new Error(`the client has no operation ${name}`);
  }
  return op;
}

/**
 * The baseline: GraphQL over a bare undici Pool (one keep-alive connection), with the body the
 * client sends for the same call (`{query, variables, operationName}`) and the same headers.
 */
export class BareGraphql {
  constructor(server) {
    this.server = server;
    this.pool = new Pool(server.baseUrl, { connections: 1, pipelining: 1 });
    this.path = new URL(server.endpoint).pathname;
  }

  /** Sends `op` with `variables`; returns `data`, throwing on any GraphQL error. */
  async request(op, variables) {
    const res = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${this.server.token}`
      },
      body: JSON.stringify({ query: op.text, variables, operationName: op.name })
    });
    const body = JSON.parse(await res.body.text());
    if (res.statusCode !== 200 || body.errors) {
      throw new Error(`GraphQL ${op.name} failed (${res.statusCode}): ${JSON.stringify(body.errors)}`);
    }
    return body.data;
  }

  close() {
    return this.pool.close();
  }
}

/** Milliseconds `fn` takes. */
export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Samples this process's RSS every 20 ms while `fn` runs; returns fn's result and the peak RSS. */
export async function sampledRss(fn) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await fn();
    return { value, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

/** A wall-clock timestamp in milliseconds with sub-millisecond precision (comparable to a job's `time.time()`). */
export const wallMs = () => performance.timeOrigin + performance.now();
