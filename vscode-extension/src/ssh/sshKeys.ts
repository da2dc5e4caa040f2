import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { OpenSSHAgent, utils, type BaseAgent, type IdentityCallback, type ParsedKey } from 'ssh2';

/** A key pair on disk, as the SSH commands use it. */
export interface SshKey {
  /** The private key's path. */
  path: string;
  /** The OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
  /** The private key is protected by a passphrase: only an agent holding it can sign. */
  encrypted: boolean;
}

/** The private key cannot be used: what is wrong, for the user. */
export class SshKeyError extends Error {
  override name = 'SshKeyError';
}

/** A passphrase-protected key that the SSH agent does not hold. */
export class KeyNotInAgentError extends SshKeyError {
  override name = 'KeyNotInAgentError';
  constructor(readonly path: string) {
    super(
      `${path} is protected by a passphrase and the SSH agent does not hold it: add it with "ssh-add ${path}" ` +
        '(the extension never asks for or keeps a passphrase)'
    );
  }
}

/** Where the extension's own key for a PrimeHub goes: `~/.ssh/primehub_<label>_ed25519`. */
export function defaultKeyPath(label: string): string {
  return join(homedir(), '.ssh', `primehub_${label.replace(/[^A-Za-z0-9.-]/g, '-')}_ed25519`);
}

/**
 * Reads the key pair at `path` (the private key, and `<path>.pub` when the private key alone does not give the
 * public one, as for an encrypted key).
 */
export async function readKey(path: string): Promise<SshKey> {
  const data = await fs.readFile(path);
  const parsed = utils.parseKey(data);
  if (!(parsed instanceof Error)) {
    return { path, publicKey: publicLine(parsed), encrypted: false };
  }
  if (!/encrypted/i.test(parsed.message)) {
    throw new SshKeyError(`${path} is not a private key ssh can use: ${parsed.message}`);
  }
  let pub: string;
  try {
    pub = await fs.readFile(`${path}.pub`, 'utf8');
  } catch {
    throw new SshKeyError(`${path} is protected by a passphrase and ${path}.pub, its public key, is missing`);
  }
  const pubKey = utils.parseKey(pub);
  if (pubKey instanceof Error) {
    throw new SshKeyError(`${path}.pub is not a public key: ${pubKey.message}`);
  }
  return { path, publicKey: publicLine(pubKey), encrypted: true };
}

/**
 * Makes a new ed25519 key pair at `path` (0600) and `<path>.pub`, without a passphrase (it is a key of its own
 * for this PrimeHub, kept in `~/.ssh` as ssh-keygen's are). Never overwrites: an existing file is an error.
 */
export async function createKey(path: string, comment: string): Promise<SshKey> {
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let pair: { private: string; public: string };
  // ssh2's generator can give a key its own parser refuses; such a pair is made again
  do {
    pair = utils.generateKeyPairSync('ed25519', { comment });
  } while (utils.parseKey(pair.private) instanceof Error);
  const priv = await fs.open(path, 'wx', 0o600);
  try {
    await priv.writeFile(pair.private);
  } finally {
    await priv.close();
  }
  try {
    await fs.writeFile(`${path}.pub`, `${pair.public.trim()}\n`, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    await fs.rm(path, { force: true });
    throw e;
  }
  return readKey(path);
}

/** The key at `path` when there is one; undefined when there is none. */
export async function existingKey(path: string): Promise<SshKey | undefined> {
  try {
    await fs.access(path);
  } catch {
    return undefined;
  }
  return readKey(path);
}

function publicLine(key: ParsedKey): string {
  const blob = key.getPublicSSH();
  return `${key.type} ${blob.toString('base64')}${key.comment ? ` ${key.comment}` : ''}`;
}

/** The public key blob of an OpenSSH public key line. */
function blobOf(publicKey: string): Buffer {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) {
    throw new SshKeyError(`not a public key: ${parsed.message}`);
  }
  return parsed.getPublicSSH();
}

/** The public blob of a key an agent lists (ssh2 hands back parsed keys). */
function agentKeyBlob(k: unknown): Buffer | undefined {
  const key = k as Partial<ParsedKey>;
  return typeof key.getPublicSSH === 'function' ? key.getPublicSSH() : undefined;
}

/** An agent that offers only one of its keys: the bastion counts every refused key against the client. */
class OneKeyAgent extends OpenSSHAgent {
  constructor(
    socket: string,
    private readonly blob: Buffer
  ) {
    super(socket);
  }

  override getIdentities(cb: IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) =>
      cb(
        err,
        (keys ?? []).filter(k => agentKeyBlob(k)?.equals(this.blob))
      )
    );
  }
}

/** Whether the SSH agent at `socket` holds `publicKey`. */
export function agentHolds(publicKey: string, socket: string | undefined): Promise<boolean> {
  if (!socket) {
    return Promise.resolve(false);
  }
  const blob = blobOf(publicKey);
  return new Promise(resolve => {
    new OpenSSHAgent(socket).getIdentities((err, keys) =>
      resolve(!err && (keys ?? []).some(k => agentKeyBlob(k)?.equals(blob)))
    );
  });
}

/** How ssh2 signs in with `key`: the private key itself, or (passphrase-protected) the agent holding it. */
export type KeyAuth = { privateKey: Buffer } | { agent: BaseAgent };

/**
 * The ssh2 authentication for `key`: its private key, or for a passphrase-protected key the agent at `socket`
 * offering that key alone; KeyNotInAgentError when the agent does not hold it.
 */
export async function keyAuth(key: SshKey, socket = process.env.SSH_AUTH_SOCK): Promise<KeyAuth> {
  if (!key.encrypted) {
    return { privateKey: await fs.readFile(key.path) };
  }
  if (!socket || !(await agentHolds(key.publicKey, socket))) {
    throw new KeyNotInAgentError(key.path);
  }
  return { agent: new OneKeyAgent(socket, blobOf(key.publicKey)) };
}
