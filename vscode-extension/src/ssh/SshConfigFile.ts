import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import {
  aliasesOf,
  earlierEntriesFor,
  hasBlock,
  parseSshG,
  removeBlock,
  upsertBlock,
  type ShadowingLine,
  type SshBlockSpec
} from './sshConfigBlock';

/** The user's own SSH config, `~/.ssh/config` (of `$HOME`, as VS Code and Remote - SSH take `~`). */
export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

/** The config OpenSSH reads without `-F`: `.ssh/config` in the account's home (its passwd entry, not `$HOME`). */
export function opensshOwnConfigPath(): string {
  return join(userInfo().homedir, '.ssh', 'config');
}

/**
 * The SSH config the extension writes to: `configured` (Remote - SSH's `remote.SSH.configFile`, `~` expanded)
 * when set, else `~/.ssh/config`; checked with the ssh program `sshProgram` (`remote.SSH.path`).
 */
export function sshConfigFor(configured: string, sshProgram = 'ssh'): SshConfigFile {
  const path = !configured
    ? defaultSshConfigPath()
    : configured === '~' || configured.startsWith('~/')
      ? join(homedir(), configured.slice(1))
      : configured;
  return new SshConfigFile(path, path === opensshOwnConfigPath(), sshProgram);
}

/** How long a lock another window holds is waited for, and when a lock left behind counts as stale. */
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

/** What `ssh -G <alias>` says the block gives, next to what it should give. */
export interface BlockCheck {
  ok: boolean;
  /** The options ssh resolves that differ from the block's: `{option: [want, got]}`. */
  differs: Record<string, [string, string]>;
  /** Earlier entries of the config that apply to the alias too (the likely shadowing ones). */
  earlier: ShadowingLine[];
  /** ssh itself failed (e.g. a syntax error elsewhere in the file): its message. */
  error?: string;
}

/**
 * The SSH config file the extension writes its PrimeHub blocks into: `remote.SSH.configFile` when set, else
 * `~/.ssh/config`. Every change is atomic (a temporary file renamed over it, so a reader never sees half a file),
 * keeps a backup of the previous content (`<file>.primehub.bak`), leaves the file 0600, changes nothing outside
 * the block, and is made under a lock file so two windows connecting at once do not lose each other's block.
 * A config that is a symbolic link (dotfile managers) is written through it.
 */
export class SshConfigFile {
  /**
   * @param path the config file
   * @param isDefault it is the config ssh reads by itself (then `ssh` needs no `-F`; with `-F` it would skip the
   *   system-wide config)
   * @param sshProgram the OpenSSH client to check the result with (`remote.SSH.path`, else `ssh`)
   */
  constructor(
    readonly path: string,
    readonly isDefault = path === opensshOwnConfigPath(),
    private readonly sshProgram = 'ssh'
  ) {}

  /** `-F <file>` for ssh when this is not the config it reads by itself. */
  get sshArgs(): string[] {
    return this.isDefault ? [] : ['-F', this.path];
  }

  /** The file's text ('' when there is none). */
  async read(): Promise<string> {
    try {
      return await fs.readFile(await this.target(), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return '';
      }
      throw e;
    }
  }

  /** Writes (or rewrites) the block for `spec.label`; true when the file changed. */
  async upsert(spec: SshBlockSpec): Promise<boolean> {
    return this.change(text => upsertBlock(text, spec));
  }

  /** Removes the block for `label`; true when there was one. */
  async remove(label: string): Promise<boolean> {
    return this.change(text => removeBlock(text, label));
  }

  /** Whether the file holds the block for `label`. */
  async has(label: string): Promise<boolean> {
    return hasBlock(await this.read(), label);
  }

  /** Where a backup of the previous content is kept. */
  get backupPath(): string {
    return `${this.path}.primehub.bak`;
  }

  /**
   * Asks `ssh -G` what the notebook alias resolves to, and compares it with the block: an earlier `Host` entry
   * that applies to the alias too wins over the block (ssh keeps the first value of each option).
   */
  async check(spec: SshBlockSpec): Promise<BlockCheck> {
    const alias = aliasesOf(spec.label).notebook;
    const text = await this.read();
    const earlier = earlierEntriesFor(text, spec.label, alias);
    let out: string;
    try {
      out = await this.sshG(alias);
    } catch (e) {
      return { ok: false, differs: {}, earlier, error: (e as Error).message };
    }
    const g = parseSshG(out);
    const want: Record<string, string> = {
      hostname: spec.notebookHost.toLowerCase(),
      user: spec.login,
      port: String(spec.notebookPort),
      proxyjump: aliasesOf(spec.label).bastion
    };
    const differs: Record<string, [string, string]> = {};
    for (const [k, v] of Object.entries(want)) {
      const got = g.get(k) ?? '';
      if (got.toLowerCase() !== v.toLowerCase()) {
        differs[k] = [v, got];
      }
    }
    return { ok: Object.keys(differs).length === 0, differs, earlier };
  }

  /** `ssh -G <host>` with this file (an argv array: nothing goes through a shell). */
  sshG(host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.sshProgram,
        [...this.sshArgs, '-G', host],
        { timeout: 10_000, maxBuffer: 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) {
            reject(new Error(`ssh -G ${host} failed: ${String(stderr).trim() || err.message}`));
          } else {
            resolve(String(stdout));
          }
        }
      );
    });
  }

  /** The file written: the link's target when the config is a symbolic link. */
  private async target(): Promise<string> {
    try {
      return await fs.realpath(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        // a dangling link is written where it points
        const link = await fs.readlink(this.path).catch(() => undefined);
        return link === undefined ? this.path : join(dirname(this.path), link);
      }
      throw e;
    }
  }

  private async change(edit: (text: string) => string): Promise<boolean> {
    const unlock = await this.lock();
    try {
      const file = await this.target();
      let before: string | undefined;
      try {
        before = await fs.readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw e;
        }
      }
      const after = edit(before ?? '');
      if (after === (before ?? '')) {
        return false;
      }
      if (before !== undefined) {
        await writeAtomic(this.backupPath, before);
      }
      await writeAtomic(file, after);
      return true;
    } finally {
      await unlock();
    }
  }

  /** Takes `<file>.primehub.lock` (made exclusively); a lock older than {@link LOCK_STALE_MS} is broken. */
  private async lock(): Promise<() => Promise<void>> {
    const lockFile = `${this.path}.primehub.lock`;
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await fs.open(lockFile, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => fs.rm(lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw e;
        }
      }
      const stat = await fs.stat(lockFile).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
        await fs.rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > until) {
        throw new Error(`${this.path} is being changed by another window (${lockFile}); try again`);
      }
      await new Promise(resolve => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }
}

/** Writes `text` to `file` through a temporary file in the same folder renamed over it; mode 0600. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    // the umask may have taken bits away, never added: 0600 whatever it is
    await fs.chmod(tmp, 0o600);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
