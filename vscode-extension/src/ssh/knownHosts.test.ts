import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { checkHostKey, knownHostName } from './knownHosts';

/** A new host key's public blob. */
function hostKey(): Buffer {
  for (;;) {
    // ssh2's generator gives about one key in 400 that its own parser refuses: such a key is made again
    const parsed = utils.parseKey(utils.generateKeyPairSync('ed25519').public);
    if (!(parsed instanceof Error)) {
      return parsed.getPublicSSH();
    }
  }
}

describe('known hosts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ph-known-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('names hosts as OpenSSH does: [host]:port unless the port is 22', () => {
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(knownHostName('primehub.example.com', 22)).toBe('primehub.example.com');
  });

  test('a listed key matches, another key of a listed host does not, an unlisted host is unknown; hashed lines too', async () => {
    const key = hostKey();
    const other = hostKey();
    const file = join(dir, 'known_hosts');
    writeFileSync(
      file,
      [
        '# comment',
        `@revoked [127.0.0.1]:2222 ssh-ed25519 ${other.toString('base64')}`,
        `[127.0.0.1]:2222,bastion ssh-ed25519 ${key.toString('base64')}`,
        `primehub.example.com ssh-ed25519 ${other.toString('base64')}`,
        ''
      ].join('\n')
    );
    expect(await checkHostKey(file, '127.0.0.1', 2222, key)).toBe('match');
    expect(await checkHostKey(file, '127.0.0.1', 2222, other)).toBe('mismatch');
    expect(await checkHostKey(file, 'primehub.example.com', 22, key)).toBe('mismatch');
    expect(await checkHostKey(file, '127.0.0.1', 2223, key)).toBe('unknown');
    expect(await checkHostKey(join(dir, 'none'), '127.0.0.1', 2222, key)).toBe('unknown');

    // OpenSSH's own hashing (HashKnownHosts, Debian's default)
    const hashed = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('|1|');
    expect(readFileSync(file, 'utf8')).not.toMatch(/^\[127\.0\.0\.1\]:2222/m);
    expect(await checkHostKey(file, '127.0.0.1', 2222, key)).toBe('match');
    expect(await checkHostKey(file, '127.0.0.1', 2222, other)).toBe('mismatch');
    expect(await checkHostKey(file, '127.0.0.1', 2223, key)).toBe('unknown');
  });
});
