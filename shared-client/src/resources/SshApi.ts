import type { ClientContext } from '../ClientContext';
import { FeatureUnavailableError, HttpError, NotFoundError } from '../errors';
import type { CallOptions } from '../types';
import { apiBaseOf } from './apiBase';
import { requireString } from './validate';

/** A notebook sshd's state: `off` until enabled, `running` once it accepts connections, `stopped` after it died. */
export type NotebookSshdState = 'off' | 'starting' | 'running' | 'stopped';

/** The SSH bastion a notebook is reached through (`limited-user`, tunnelling only). */
export interface SshBastionInfo {
  state: 'running' | 'stopped';
  host: string;
  /** Absent while the bastion does not listen. */
  port?: number;
  /** The one user it lets in: `limited-user`. */
  user: string;
  /** Why it is stopped. */
  reason?: string;
}

/** Whether a user's notebook has its SSH server on, and how to reach it (`GET /api/ssh/notebooks/<user>`). */
export interface NotebookSshStatus {
  user: string;
  /** SSH is enabled for the notebook (the spawner's "Enable SSH Server"). */
  enabled: boolean;
  /** Its sshd's state; `stopped` with SSH enabled means the notebook has no working sshd (see `reason`). */
  state: NotebookSshdState;
  /** The notebook's host as the bastion resolves it, `jupyter-<escaped user>.hub`. */
  host: string;
  /** The account to log in to the notebook as (`jovyan` on PrimeHub). */
  login: string;
  /** The notebook sshd's port behind the bastion (22). */
  port: number;
  reason?: string;
  bastion: SshBastionInfo;
  /** The `~/.ssh/config` block PrimeHub's spawner shows, while the bastion listens. */
  config?: string;
}

/**
 * The host of `user`'s notebook as PrimeHub's bastion resolves it, `jupyter-<escaped user>.hub`: the user name
 * escaped as KubeSpawner names pods (`[a-z0-9]` kept, every other UTF-8 byte `-` and two hex digits).
 */
export function notebookSshHost(user: string): string {
  let out = '';
  for (const ch of user) {
    if (/^[a-z0-9]$/.test(ch)) {
      out += ch;
    } else {
      for (const byte of new TextEncoder().encode(ch)) {
        out += `-${byte.toString(16).padStart(2, '0')}`;
      }
    }
  }
  return `jupyter-${out}.hub`;
}

/** The query parameter of the notebook's authorize link, `<lab url>?primehub-ssh-key=<public key>`. */
export const SSH_KEY_LINK_PARAM = 'primehub-ssh-key';

/**
 * The link that opens the suite's JupyterLab extension on the notebook, asking its user to add `publicKey`
 * (an OpenSSH public key line) to the notebook's `~/.ssh/authorized_keys` — with the key's fingerprint shown
 * for confirmation, never silently. `labUrl` is the notebook's JupyterLab page (`…/lab`); its other query
 * parameters and fragment are kept.
 */
export function sshKeyLink(labUrl: string, publicKey: string): string {
  const u = new URL(labUrl);
  u.searchParams.set(SSH_KEY_LINK_PARAM, publicKey.trim());
  return u.toString();
}

/**
 * Notebook SSH: whether a user's notebook runs its SSH server, the bastion to reach it through and the config
 * block, and the switch that turns it on or off (the spawner's "Enable SSH Server"). PrimeHub Local serves this
 * at `<api>/ssh/notebooks/<user>`; a PrimeHub cluster has no such API (SSH is chosen when the notebook is
 * spawned), which these calls report as a FeatureUnavailableError.
 */
export class SshApi {
  constructor(private readonly ctx: ClientContext) {}

  /** The SSH status of `user`'s notebook. NotFoundError when no notebook of that user runs on the server. */
  async status(user: string, opts: CallOptions = {}): Promise<NotebookSshStatus> {
    return this.call('GET', user, undefined, opts);
  }

  /**
   * Turns the SSH server of `user`'s notebook on or off; resolves with the status once the server has started
   * (or failed: see `state` and `reason`) or stopped. Only that user or an admin may (PermissionError).
   */
  async setEnabled(user: string, enabled: boolean, opts: CallOptions = {}): Promise<NotebookSshStatus> {
    return this.call('PUT', user, JSON.stringify({ enabled: enabled === true }), opts);
  }

  private async call(
    method: 'GET' | 'PUT',
    user: string,
    body: string | undefined,
    opts: CallOptions
  ): Promise<NotebookSshStatus> {
    const url = `${apiBaseOf(this.ctx.endpoint)}/ssh/notebooks/${encodeURIComponent(requireString(user, 'user'))}`;
    let res;
    try {
      res = await this.ctx.requester.rest(
        {
          method,
          url,
          ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body } : {}),
          // turning it on twice leaves it on: safe to send again
          idempotent: true
        },
        opts
      );
    } catch (err) {
      // PrimeHub Local answers a missing notebook in its {code, message} shape; anything else is a server
      // without this route
      if (err instanceof NotFoundError && err.serverCode !== 'RESOURCE_NOT_FOUND') {
        throw new FeatureUnavailableError(
          'this PrimeHub has no notebook SSH API: enable "Enable SSH Server" in the notebook spawner instead',
          { status: err.status, request: err.request, cause: err }
        );
      }
      throw err;
    }
    return parseStatus(res.text, res.status);
  }
}

function parseStatus(text: string, status: number): NotebookSshStatus {
  let v: Partial<NotebookSshStatus> | undefined;
  try {
    v = JSON.parse(text) as Partial<NotebookSshStatus>;
  } catch {
    v = undefined;
  }
  if (
    !v ||
    typeof v.enabled !== 'boolean' ||
    typeof v.state !== 'string' ||
    typeof v.host !== 'string' ||
    typeof v.login !== 'string' ||
    !v.bastion ||
    typeof v.bastion.host !== 'string'
  ) {
    throw new HttpError('the server answered no notebook SSH status', { status });
  }
  return { port: 22, ...v } as NotebookSshStatus;
}
