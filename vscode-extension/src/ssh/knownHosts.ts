import { createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';

/** What a known-hosts file says of a host's key. */
export type HostKeyCheck = 'match' | 'mismatch' | 'unknown';

/** A host as known-hosts files name it: `host`, or `[host]:port` for a port other than 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether one host field (`a,b` names, or a hashed `|1|salt|hash` one) names `name`. */
function namesHost(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) {
      return false;
    }
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').some(n => n.toLowerCase() === name.toLowerCase());
}

/**
 * Checks `key` (the host key blob the server presented) against the known-hosts file OpenSSH keeps for the
 * bastion (the block's `UserKnownHostsFile`, hashed entries included): `match` when a line for the host holds
 * this key, `mismatch` when lines for the host hold only other keys, `unknown` when the file names no such host
 * (or there is no file). Markers (`@cert-authority`, `@revoked`) are not trusted: their lines are skipped.
 */
export async function checkHostKey(file: string, host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return 'unknown';
  }
  const name = knownHostName(host, port);
  const blob = key.toString('base64');
  let known = false;
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0].startsWith('#') || fields[0].startsWith('@')) {
      continue;
    }
    if (namesHost(fields[0], name)) {
      if (fields[2] === blob) {
        return 'match';
      }
      known = true;
    }
  }
  return known ? 'mismatch' : 'unknown';
}
