import { randomBytes } from 'node:crypto';

/** Who a ticket or a browser session is for: one user in one group. */
export interface MlflowUiGrant {
  userId: string;
  groupId: string;
}

export interface MlflowUiSessionsOptions {
  /** How long a ticket may be redeemed (default 60 s). */
  ticketMs?: number;
  /** How long a session lives without a request (default 4 hours). */
  idleMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

interface Entry extends MlflowUiGrant {
  /** When it expires (ms since the epoch). */
  until: number;
}

/** Entries of either map are swept at most this often, on use (no timer keeps the process alive). */
const SWEEP_MS = 60_000;

/**
 * The browser sign-in of PrimeHub Local's MLflow UI proxy, in memory only (a restart signs every browser out):
 * one-time *tickets* a signed-in client asks for over the API, each redeemed once within a minute for a
 * *session* the browser then holds as an HttpOnly cookie, kept while it is used. Both are 32 random bytes
 * (base64url) and bound to a user and a group; the proxy checks the group on every request.
 */
export class MlflowUiSessions {
  private readonly tickets = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();
  private readonly ticketMs: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private swept = 0;

  constructor(opts: MlflowUiSessionsOptions = {}) {
    this.ticketMs = opts.ticketMs ?? 60_000;
    this.idleMs = opts.idleMs ?? 4 * 3600_000;
    this.now = opts.now ?? Date.now;
  }

  /** A new ticket for `grant`, valid once within the ticket time. */
  issueTicket(grant: MlflowUiGrant): string {
    this.sweep();
    const ticket = randomId();
    this.tickets.set(ticket, { ...grant, until: this.now() + this.ticketMs });
    return ticket;
  }

  /**
   * Redeems a ticket for a new session id, if the ticket is known, unexpired, unused and for `groupId`;
   * undefined otherwise. A ticket is gone after its first use, whether that use succeeded or not.
   */
  redeem(ticket: string, groupId: string): { sessionId: string; grant: MlflowUiGrant } | undefined {
    this.sweep();
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.until <= this.now() || entry.groupId !== groupId) {
      return undefined;
    }
    const sessionId = randomId();
    const grant = { userId: entry.userId, groupId: entry.groupId };
    this.sessions.set(sessionId, { ...grant, until: this.now() + this.idleMs });
    return { sessionId, grant };
  }

  /** The live session `sessionId` of group `groupId`, its idle time restarted; undefined otherwise. */
  session(sessionId: string, groupId: string): MlflowUiGrant | undefined {
    this.sweep();
    const entry = this.sessions.get(sessionId);
    if (!entry || entry.until <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    if (entry.groupId !== groupId) {
      return undefined;
    }
    entry.until = this.now() + this.idleMs;
    return { userId: entry.userId, groupId: entry.groupId };
  }

  /** Ends a session (its user left the group). */
  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.swept < SWEEP_MS) {
      return;
    }
    this.swept = now;
    for (const map of [this.tickets, this.sessions]) {
      for (const [key, entry] of map) {
        if (entry.until <= now) {
          map.delete(key);
        }
      }
    }
  }
}

function randomId(): string {
  return randomBytes(32).toString('base64url');
}
