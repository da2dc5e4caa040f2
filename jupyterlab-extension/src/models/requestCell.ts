import { pythonRequestsCode, type EndpointRequest } from '@primehub-suite/client/deployments';

/** Stands for the token in the client's snippet; replaced by the prompt (a NUL cannot be typed in). */
const TOKEN_SLOT = '\u0000token';

/**
 * Python for a notebook cell that sends `request` with `requests` and prints the answer.
 *
 * A private endpoint's client token is asked for with `getpass` when the cell runs, never written
 * into the cell: a notebook is saved, shared and submitted as a job with its sources, and what
 * is typed into Jupyter's password field stays in the kernel. (An environment variable would be
 * fixed when the kernel starts, so setting one means a restart or a cell that holds the token.)
 */
export function requestCellCode(request: EndpointRequest): string {
  if (!request.auth) {
    return pythonRequestsCode(request);
  }
  const { username } = request.auth;
  // the client module writes the request; only the token's value is swapped for the prompt
  const code = pythonRequestsCode({ ...request, auth: { username, password: TOKEN_SLOT } });
  const slot = JSON.stringify(TOKEN_SLOT);
  const lines = code.split('\n');
  const at = lines.findIndex(l => l.includes(slot));
  if (at < 0 || lines[0] !== 'import requests') {
    throw new Error('the request snippet no longer has the form requestCellCode rewrites');
  }
  const prompt = JSON.stringify(`Token of client ${username}: `);
  return [
    'import getpass',
    '',
    ...lines.slice(0, at),
    '# asked for when the cell runs, so the token is never saved in the notebook (PrimeHub showed it once)',
    lines[at].replace(slot, `getpass.getpass(${prompt})`),
    ...lines.slice(at + 1)
  ].join('\n');
}
