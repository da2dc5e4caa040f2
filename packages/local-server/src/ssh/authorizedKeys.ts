import { timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { utils, type ParsedKey } from 'ssh2';
import { Dir, isNotBeneath } from '../fs/beneath';

/** A public key of an `authorized_keys` file: its SSH wire blob and the parsed key that verifies signatures. */
export interface AuthorizedKey {
  blob: Buffer;
  key: ParsedKey;
}

/** More than any real `authorized_keys`; a larger file (or one growing while read) is read no further. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * The keys of an `authorized_keys` text. Lines with options before the key type (`from="…" ssh-ed25519 …`) have
 * their options ignored here: the notebook's sshd applies them itself. Lines that are no key are skipped.
 */
export function parseAuthorizedKeys(text: string): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      continue;
    }
    // the key starts at its type; what precedes it are options (which may hold quoted spaces)
    const at = line.search(/(^|\s)(ssh-|ecdsa-|sk-)/);
    const parsed = at < 0 ? undefined : utils.parseKey(line.slice(at).trim());
    if (parsed && !(parsed instanceof Error) && !parsed.isPrivateKey()) {
      keys.push({ blob: parsed.getPublicSSH(), key: parsed });
    }
  }
  return keys;
}

/** The key among `keys` whose blob is `blob`, compared in constant time. */
export function findKey(keys: readonly AuthorizedKey[], blob: Buffer): AuthorizedKey | undefined {
  return keys.find(k => k.blob.length === blob.length && timingSafeEqual(k.blob, blob));
}

/**
 * The keys of `<home>/.ssh/authorized_keys`, read without following a link anywhere below `home` (the notebook's
 * user controls everything there); none when the file or folder is missing, a link, or not a regular file.
 */
export async function readAuthorizedKeys(home: string): Promise<AuthorizedKey[]> {
  try {
    return await Dir.using(Dir.open(home), async root =>
      Dir.using(root.dir(['.ssh']), async ssh => {
        const { handle } = await ssh.openFile('authorized_keys');
        try {
          const buf = Buffer.alloc(MAX_FILE_BYTES);
          let size = 0;
          for (;;) {
            const { bytesRead } = await handle.read(buf, size, buf.length - size, size);
            if (bytesRead === 0 || (size += bytesRead) >= buf.length) {
              break;
            }
          }
          return parseAuthorizedKeys(buf.subarray(0, size).toString('utf8'));
        } finally {
          await handle.close();
        }
      })
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (isNotBeneath(err) || code === 'EISDIR' || code === 'EINVAL' || code === 'EACCES') {
      return [];
    }
    throw err;
  }
}

/**
 * A new ed25519 key pair in OpenSSH's formats. ssh2 1.17 writes a key whose public half starts with a zero byte
 * with that byte left out (about 1 in 250), which neither it nor OpenSSH reads back: such a pair is made again.
 */
export function newEd25519Key(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) {
      return pair;
    }
  }
}

/**
 * The OpenSSH private host key in `file`: made once (ed25519, mode 0600, never replaced) and read on later
 * starts, so clients see the same host key every time.
 */
export async function ensureHostKey(file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(newEd25519Key().private);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o077) !== 0) {
      await handle.chmod(0o600);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
