import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { ensureHostKey, findKey, newEd25519Key, parseAuthorizedKeys, readAuthorizedKeys } from './authorizedKeys';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phl-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const blobOf = (pub: string): Buffer => (utils.parseKey(pub) as utils.ParsedKey).getPublicSSH();

test('keys are read with comments, options and junk lines around them', () => {
  const a = newEd25519Key().public;
  const b = newEd25519Key().public;
  const keys = parseAuthorizedKeys(`# mine\n\n${a} laptop\nnot a key\nfrom="10.0.0.1",no-pty ${b} other\n`);
  expect(keys).toHaveLength(2);
  expect(findKey(keys, blobOf(a))).toBeDefined();
  expect(findKey(keys, blobOf(b))).toBeDefined();
  expect(findKey(keys, blobOf(newEd25519Key().public))).toBeUndefined();
});

test('authorized_keys behind a link (the file or ~/.ssh) is not read', async () => {
  const key = newEd25519Key().public;
  writeFileSync(join(dir, 'elsewhere'), `${key}\n`);
  mkdirSync(join(dir, 'home', '.ssh'), { recursive: true });
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'home', '.ssh', 'authorized_keys'));
  expect(await readAuthorizedKeys(join(dir, 'home'))).toEqual([]);
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'authorized_keys'), `${key}\n`);
  mkdirSync(join(dir, 'home2'));
  symlinkSync(join(dir, 'real'), join(dir, 'home2', '.ssh'));
  expect(await readAuthorizedKeys(join(dir, 'home2'))).toEqual([]);
  rmSync(join(dir, 'home', '.ssh', 'authorized_keys'));
  writeFileSync(join(dir, 'home', '.ssh', 'authorized_keys'), `${key}\n`);
  expect(await readAuthorizedKeys(join(dir, 'home'))).toHaveLength(1);
  expect(await readAuthorizedKeys(join(dir, 'missing'))).toEqual([]);
});

test('the host key is made once, 0600, and kept', async () => {
  const file = join(dir, 'ssh', 'host_key');
  const first = await ensureHostKey(file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(utils.parseKey(first)).not.toBeInstanceOf(Error);
  expect(await ensureHostKey(file)).toBe(first);
});

test('every new ed25519 key reads back (ssh2 drops a leading zero byte otherwise)', () => {
  for (let i = 0; i < 300; i++) {
    expect(utils.parseKey(newEd25519Key().private)).not.toBeInstanceOf(Error);
  }
});
