/**
 * A session for model tests: a real client (the browser entry, over Node's fetch) signed in to
 * a real PrimeHub Local, with the settings and signals of the extension's own session.
 */
import { Signal } from '@lumino/signaling';
import { describeError, PrimeHubClient, type GroupRef, type RequestHook } from '@primehub-suite/client/browser';
import type { IPrimeHub, IPrimeHubConfig, IPrimeHubSettings } from '../tokens';

/** An IPrimeHub over a real client; `requests` counts the GraphQL operations it sent. */
export class TestHub implements IPrimeHub {
  readonly changed: Signal<IPrimeHub, void> = new Signal<IPrimeHub, void>(this);
  readonly client: PrimeHubClient;
  readonly requests: string[] = [];
  settings: IPrimeHubSettings = { pollIntervalSeconds: 1, notifications: false, defaultTimeoutMinutes: 5 };
  config: IPrimeHubConfig | null = null;
  groups: ReadonlyArray<GroupRef> = [];
  signedIn = true;
  connectError = '';
  private _group: string;

  constructor(endpoint: string, token: string, group: string) {
    const hook: RequestHook = (request, send) => {
      const body = typeof request.body === 'string' ? request.body : '';
      this.requests.push(/"operationName":"(\w+)"/.exec(body)?.[1] ?? `${request.method} ${request.url}`);
      return send(request);
    };
    this._group = group;
    this.client = new PrimeHubClient({ endpoint, token, group, hook, retry: false });
  }

  get group(): string {
    return this._group;
  }

  setGroup(name: string): void {
    this._group = name;
    this.client.setGroup(name);
    this.changed.emit();
  }

  describe(what: string, err: unknown): string {
    return describeError(what, err).message;
  }

  async refresh(): Promise<void> {}
  async connect(): Promise<void> {}
  async signIn(): Promise<string> {
    return 'phuser';
  }
  async signOut(): Promise<void> {}
}

/** Resolves once `ready()` is true, checked whenever `signal` fires (rejects after `ms`). */
export function when(
  signal: { connect(f: () => void): unknown; disconnect(f: () => void): unknown },
  ready: () => boolean,
  ms = 60_000
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ready()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signal.disconnect(check);
      reject(new Error('the expected state did not come'));
    }, ms);
    const check = (): void => {
      if (ready()) {
        clearTimeout(timer);
        signal.disconnect(check);
        resolve();
      }
    };
    signal.connect(check);
  });
}
