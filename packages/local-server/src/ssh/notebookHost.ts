/** The one user PrimeHub's bastion lets in (its sshd's `AllowUsers limited-user`). */
export const BASTION_USER = 'limited-user';

/** What PrimeHub's bastion answers a shell or a command with (its `ForceCommand echo …`). */
export const TUNNEL_ONLY_MESSAGE = 'This account can only be used for tunneling.';

/** The namespace of notebook pods, and so the domain of their hosts, on PrimeHub (`hub`). */
export const NOTEBOOK_NAMESPACE = 'hub';

/** The port of a notebook's sshd, as its pod's Service exposes it. */
export const NOTEBOOK_SSH_PORT = 22;

/**
 * A username as KubeSpawner puts it into a pod name (escapism with `[a-z0-9]` safe and `-` as the escape
 * character, then lower-cased): every other byte of its UTF-8 becomes `-` and two hex digits.
 */
export function escapeUsername(user: string): string {
  let out = '';
  for (const ch of user) {
    if (/^[a-z0-9]$/.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) {
        out += `-${byte.toString(16).padStart(2, '0')}`;
      }
    }
  }
  return out;
}

/** The notebook's host as the bastion resolves it: `jupyter-<escaped user>.hub` (its pod's Service). */
export function notebookHost(user: string): string {
  return `jupyter-${escapeUsername(user)}.${NOTEBOOK_NAMESPACE}`;
}

/** Where and how to reach the bastion and a notebook behind it, for {@link sshConfigBlock}. */
export interface SshConfigTarget {
  /** The notebook's host, `jupyter-<escaped user>.hub`. */
  host: string;
  /** The account on the notebook (`jovyan` on PrimeHub; PrimeHub Local's own user here). */
  login: string;
  bastionHost: string;
  bastionPort: number;
  /** The private key, as written in the config (`~/.ssh/id_rsa` in PrimeHub's). */
  identityFile?: string;
}

/**
 * The `~/.ssh/config` block PrimeHub's spawner shows for a notebook with SSH enabled, line for line: a
 * `ProxyCommand ssh -W` through the bastion as `limited-user`, the same key on both hops.
 */
export function sshConfigBlock(t: SshConfigTarget): string {
  const key = t.identityFile ?? '~/.ssh/id_rsa';
  return [
    `HOST ${t.host}`,
    `  User ${t.login}`,
    `  Hostname ${t.host}`,
    `  Port ${NOTEBOOK_SSH_PORT}`,
    '  ForwardAgent yes',
    `  ProxyCommand ssh -W %h:%p -i ${key} ${BASTION_USER}@${t.bastionHost} -p ${t.bastionPort}`,
    `  IdentityFile ${key}`,
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile=/dev/null',
    ''
  ].join('\n');
}
