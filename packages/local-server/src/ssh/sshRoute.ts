import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserRow } from '../db/IdentityStore';
import { invalidInput, missing, notAuth } from '../errors';
import { readBody, sendJson } from '../http/httpUtil';
import type { NotebookSsh } from './NotebookSsh';
import { sshConfigBlock } from './notebookHost';
import type { SshBastion } from './SshBastion';

/** `/api/ssh/notebooks/<user>`: PrimeHub Local's own route (PrimeHub's schema has no SSH switch). */
export const NOTEBOOK_SSH_ROUTE = /^\/api\/ssh\/notebooks\/([^/]+)$/;

/**
 * `GET` says whether SSH is enabled for `user`'s notebook, its sshd's state, the host and login, the bastion and
 * the `~/.ssh/config` block PrimeHub's spawner shows; `PUT {"enabled": true|false}` turns its SSH server on or
 * off (the spawner's "Enable SSH Server", without a restart here) and answers the same. Only that user or an
 * admin may; a user whose notebook does not run beside this server is a 404.
 */
export async function serveNotebookSsh(
  req: IncomingMessage,
  res: ServerResponse,
  ssh: { notebooks: NotebookSsh; bastion: SshBastion },
  caller: UserRow,
  user: string
): Promise<void> {
  if (caller.username !== user && !caller.is_admin) {
    throw notAuth();
  }
  if (!ssh.notebooks.has(user)) {
    throw missing(`no notebook of user ${user} runs on this PrimeHub Local`);
  }
  if (req.method === 'PUT') {
    let enabled: unknown;
    try {
      enabled = (JSON.parse((await readBody(req, 4096)).toString('utf8')) as { enabled?: unknown }).enabled;
    } catch {
      throw invalidInput('the body must be JSON: {"enabled": true|false}');
    }
    if (typeof enabled !== 'boolean') {
      throw invalidInput('"enabled" must be true or false');
    }
    await ssh.notebooks.setEnabled(user, enabled);
  } else if (req.method !== 'GET') {
    throw invalidInput(`${req.method} is not allowed here`, 405);
  }
  const status = ssh.notebooks.status(user);
  const bastion = ssh.bastion.status();
  sendJson(res, 200, {
    ...status,
    port: 22,
    bastion,
    ...(bastion.port !== undefined
      ? { config: sshConfigBlock(ssh.notebooks.configTarget(user, { host: bastion.host, port: bastion.port })) }
      : {})
  });
}
