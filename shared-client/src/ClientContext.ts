import type { Logger } from './logger';
import type { Requester } from './Requester';
import type { CallOptions, GroupRef } from './types';

/** What resource namespaces need from the client (kept small so they are easy to test). */
export interface ClientContext {
  readonly requester: Requester;
  readonly logger: Logger;
  /** The GraphQL endpoint URL. */
  readonly endpoint: string;
  /** Default poll interval of wait loops (ms). */
  readonly pollIntervalMs: number;
  /** Resolves a group by name (default: the client's group) through `me.effectiveGroups`. */
  resolveGroup(name: string | undefined, opts?: CallOptions): Promise<GroupRef>;
  /** Registers a secret (e.g. a deployment client token) to be redacted from logs and errors. */
  addSecret(secret: string): void;
}
