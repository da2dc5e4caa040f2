import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliasesOf, type SshBlockSpec } from './sshConfigBlock';
import { SshConfigFile } from './SshConfigFile';

const spec = (label: string, over: Partial<SshBlockSpec> = {}): SshBlockSpec => ({
  label,
  bastionHost: '127.0.0.1',
  bastionPort: 2222,
  bastionUser: 'limited-user',
  notebookHost: 'jupyter-phuser.hub',
  notebookPort: 22,
  login: 'jovyan',
  identityFile: '/tmp/k',
  knownHostsFile: '/tmp/known',
  ...over
});

const USER_CONFIG = '# my hosts\r\nInclude ~/.ssh/conf.d/*\r\nHost work\r\n  HostName work.example.com\r\n  User me';

describe('SshConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ph-sshcfg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the block atomically, 0600, with a backup of the previous file, and only when it changes', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, USER_CONFIG, { mode: 0o644 });
    const file = new SshConfigFile(path, false);
    expect(await file.upsert(spec('a'))).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(file.backupPath, 'utf8')).toBe(USER_CONFIG);
    expect(statSync(file.backupPath).mode & 0o777).toBe(0o600);
    const written = readFileSync(path, 'utf8');
    expect(written.startsWith(USER_CONFIG)).toBe(true);
    const mtime = statSync(path).mtimeMs;
    expect(await file.upsert(spec('a'))).toBe(false);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(await file.remove('a')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(USER_CONFIG);
    expect(readFileSync(file.backupPath, 'utf8')).toBe(written);
    expect(await file.remove('a')).toBe(false);
    // no temporary file or lock left behind
    expect(readdirSync(dir).sort()).toEqual(['config', 'config.primehub.bak']);
  });

  test('creates a missing config (and its folder 0700)', async () => {
    const path = join(dir, 'ssh', 'config');
    const file = new SshConfigFile(path, false);
    await file.upsert(spec('a'));
    expect(statSync(join(dir, 'ssh')).mode & 0o777).toBe(0o700);
    expect(await file.has('a')).toBe(true);
    expect(existsSync(file.backupPath)).toBe(false);
  });

  test('writes through a symbolic link, which stays a link', async () => {
    const real = join(dir, 'dotfiles-config');
    writeFileSync(real, 'Host x\n');
    const path = join(dir, 'config');
    symlinkSync(real, path);
    await new SshConfigFile(path, false).upsert(spec('a'));
    expect(statSync(path).isFile()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('# >>> PrimeHub a >>>');
    expect(readdirSync(dir)).toContain('config');
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  test('two windows writing at once both get their block; the rest stays byte for byte', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, USER_CONFIG);
    // two writers that share nothing but the file (as two windows), each rewriting its block many times over;
    // without the lock file one's read-modify-write would drop the other's block
    const labels = ['one', 'two'];
    await Promise.all(
      labels.map(label => {
        const file = new SshConfigFile(path, false);
        return (async () => {
          for (let i = 0; i < 15; i++) {
            await file.upsert(spec(label, { bastionPort: 3000 + i }));
          }
        })();
      })
    );
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(USER_CONFIG)).toBe(true);
    expect(text).toContain('# >>> PrimeHub one >>>');
    expect(text).toContain('# >>> PrimeHub two >>>');
    const file = new SshConfigFile(path, false);
    await file.remove('one');
    await file.remove('two');
    expect(readFileSync(path, 'utf8')).toBe(USER_CONFIG);
  });

  test('ssh -G: the block resolves as written; an earlier Host entry shadowing it is named', async () => {
    const path = join(dir, 'config');
    const file = new SshConfigFile(path, false);
    await file.upsert(spec('a'));
    expect(await file.check(spec('a'))).toEqual({ ok: true, differs: {}, earlier: [] });
    const alias = aliasesOf('a').notebook;
    writeFileSync(path, `Host primehub-*\n  User someoneelse\n${readFileSync(path, 'utf8')}`);
    const shadowed = await file.check(spec('a'));
    expect(shadowed).toMatchObject({
      ok: false,
      differs: { user: ['jovyan', 'someoneelse'] },
      earlier: [{ line: 1, text: 'Host primehub-*' }]
    });
    expect(alias).toBe('primehub-a');
  });
});
