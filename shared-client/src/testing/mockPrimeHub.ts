import { MockAgent } from 'undici';
import type { Logger } from '../logger';
import { PrimeHubClient, NodePrimeHubClientOptions } from '../node/PrimeHubClient';

export const ORIGIN = 'http://ph.test';
export const ENDPOINT = `${ORIGIN}/api/graphql`;
export const TOKEN = 'tok-SECRET-abc123xyz';

/** One GraphQL request as the mock saw it. */
export interface SeenRequest {
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}

/** What a handler returns: a GraphQL body (and optional HTTP status). */
export interface MockReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (variables: Record<string, unknown>, call: number) => MockReply | Promise<MockReply>;

/**
 * A MockAgent serving POST /api/graphql by operation name, recording every request.
 * Unknown operations fail the request with HTTP 599 so tests notice.
 */
export class MockPrimeHub {
  readonly agent = new MockAgent();
  readonly seen: SeenRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly counts = new Map<string, number>();

  constructor() {
    this.agent.disableNetConnect();
    this.agent
      .get(ORIGIN)
      .intercept({ path: '/api/graphql', method: 'POST' })
      .reply(opts => {
        const body = JSON.parse(String(opts.body)) as {
          operationName: string;
          query: string;
          variables: Record<string, unknown>;
        };
        const headers = Object.fromEntries(
          Object.entries((opts.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)])
        );
        this.seen.push({ ...body, headers });
        const n = (this.counts.get(body.operationName) ?? 0) + 1;
        this.counts.set(body.operationName, n);
        const h = this.handlers.get(body.operationName);
        if (!h) {
          return { statusCode: 599, data: JSON.stringify({ errors: [{ message: `unmocked ${body.operationName}` }] }) };
        }
        const reply = h(body.variables ?? {}, n) as MockReply;
        return {
          statusCode: reply.status ?? 200,
          data: JSON.stringify(reply.body),
          responseOptions: { headers: { 'content-type': 'application/json', ...reply.headers } }
        };
      })
      .persist();
  }

  /** Serves `operationName` with `handler` (or a fixed reply). */
  on(operationName: string, handler: Handler | MockReply): this {
    this.handlers.set(operationName, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Serves `data` for the operation. */
  data(operationName: string, data: unknown): this {
    return this.on(operationName, { body: { data } });
  }

  /** How many times the operation was requested. */
  calls(operationName: string): number {
    return this.counts.get(operationName) ?? 0;
  }

  /** Adds the effective groups used for group resolution. */
  withGroups(groups = [{ id: 'g-1', name: 'phusers', displayName: 'PH Users' }]): this {
    return this.data('EffectiveGroups', { me: { effectiveGroups: groups } });
  }

  client(options: Partial<NodePrimeHubClientOptions> = {}): PrimeHubClient {
    return new PrimeHubClient({
      endpoint: ENDPOINT,
      token: TOKEN,
      group: 'phusers',
      dispatcher: this.agent,
      retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
      pollIntervalMs: 1,
      ...options
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** A logger that records every line (to check redaction). */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec =
    (level: string) =>
    (msg: string, meta?: Record<string, unknown>): void => {
      lines.push(`${level} ${msg} ${meta ? JSON.stringify(meta) : ''}`);
    };
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
