import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What the SSH tests and benchmark need of this machine; a missing one fails them with how to install it. */
export function requireOpenSsh(): void {
  const missing = [
    ['/usr/sbin/sshd', 'openssh-server'],
    ['/usr/bin/ssh', 'openssh-client'],
    ['/usr/bin/ssh-keygen', 'openssh-client'],
    ['/usr/bin/scp', 'openssh-client']
  ].filter(([file]) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `${missing.map(([f]) => f).join(', ')} missing: apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')} ` +
        '(npm test and npm run bench install them when run as root)'
    );
  }
}

/** A new passphrase-less ed25519 key pair `<dir>/<name>` (and `.pub`); returns the private key's path. */
export function makeKey(dir: string, name: string): string {
  const file = join(dir, name);
  const res = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file], { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`ssh-keygen failed: ${res.stderr}`);
  }
  return file;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` with `args` (no shell), stdin closed; kills it after `timeoutMs`. */
export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise(resolve => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Client options for one hop that never asks, never reads the user's own config and keys, never remembers hosts. */
export const QUIET_OPTIONS = [
  'BatchMode yes',
  'IdentitiesOnly yes',
  'StrictHostKeyChecking no',
  'UserKnownHostsFile /dev/null',
  'LogLevel ERROR'
];

/**
 * An ssh config of the block PrimeHub Local gives (PrimeHub's spawner's), with `key` as its identity, plus a
 * `Host 127.0.0.1` section for the bastion hop; the ProxyCommand's `ssh` reads this same file.
 */
export function configWith(block: string, key: string, file: string): string {
  const notebook = block
    .replace(/~\/\.ssh\/id_rsa/g, key)
    .replace('ProxyCommand ssh -W', `ProxyCommand ssh -F ${file} -W`)
    .trimEnd();
  return [
    notebook,
    ...QUIET_OPTIONS.map(o => `  ${o}`),
    '',
    'Host 127.0.0.1',
    ...QUIET_OPTIONS.map(o => `  ${o}`),
    ''
  ].join('\n');
}
