import type { NotebookSshStatus } from '@primehub-suite/client';
import { diagnose, KEY_CACHE_WINDOW_MS, reportLines, type DoctorFacts } from './SshDoctor';

const SPEC = {
  label: 'primehub.example.com',
  bastionHost: 'primehub.example.com',
  bastionPort: 2222,
  bastionUser: 'limited-user',
  notebookHost: 'jupyter-phuser.hub',
  notebookPort: 22,
  login: 'jovyan',
  identityFile: '/k',
  knownHostsFile: '/kh'
};

const NOW = 1_800_000_000_000;

/** Facts of a cluster notebook whose every check passed, changed by `over`. */
function facts(over: Partial<DoctorFacts> = {}, status?: Partial<NotebookSshStatus>): DoctorFacts {
  return {
    notebook: {
      isLocal: status !== undefined,
      spec: SPEC,
      ...(status
        ? {
            status: {
              user: 'phuser',
              enabled: true,
              state: 'running',
              host: SPEC.notebookHost,
              login: 'jovyan',
              port: 22,
              bastion: { state: 'running', host: SPEC.bastionHost, port: 2222, user: 'limited-user' },
              ...status
            }
          }
        : {})
    },
    key: { path: '/k', state: 'ok' },
    config: {
      path: '/c',
      hasBlock: true,
      check: { ok: true, differs: {}, earlier: [] },
      bastion: { user: 'limited-user', hostname: SPEC.bastionHost, port: 2222 }
    },
    probe: { ok: true },
    now: NOW,
    ...over
  };
}

describe('SSH doctor diagnosis', () => {
  test('the notebook sshd state PrimeHub Local reports: not installed is "no sshd", another stop "notebook stopped"', () => {
    expect(
      diagnose(facts({}, { state: 'stopped', reason: 'sshd is not installed (Debian openssh-server)' })).cause
    ).toBe('no-sshd');
    expect(diagnose(facts({}, { state: 'stopped', reason: 'sshd exited with 255; restarting in 500 ms' })).cause).toBe(
      'notebook-stopped'
    );
  });

  test("on a cluster, the tunnel's refusal tells a notebook without sshd from one the bastion cannot reach", () => {
    const tunnel = (failure: 'refused' | 'other' | 'prohibited', message: string) =>
      diagnose(facts({ probe: { ok: false, hop: 'tunnel', failure, message } })).cause;
    expect(tunnel('refused', '(SSH) Channel open failure: Connection refused')).toBe('no-sshd');
    expect(tunnel('other', '(SSH) Channel open failure: Connection timed out')).toBe('ssh-not-enabled');
    expect(tunnel('prohibited', '(SSH) Channel open failure: open failed')).toBe('ssh-not-enabled');
  });

  test('the key cache window holds for 15 minutes after the key was sent, on a cluster only', () => {
    const refused = { ok: false as const, hop: 'bastion-auth' as const, failure: 'auth' as const, message: 'no' };
    const at = (ago: number, local = false) =>
      diagnose(facts({ probe: refused, authorizedAt: NOW - ago }, local ? { state: 'running' } : undefined)).cause;
    expect(at(0)).toBe('key-cache-window');
    expect(at(KEY_CACHE_WINDOW_MS - 1)).toBe('key-cache-window');
    expect(at(KEY_CACHE_WINDOW_MS)).toBe('key-not-authorized');
    // PrimeHub Local reads the keys at every sign-in: no window
    expect(at(0, true)).toBe('key-not-authorized');
  });

  test('broken block markers are named, not taken for a missing block', () => {
    const d = diagnose(
      facts({ config: { path: '/c', hasBlock: false, malformed: 'the SSH config holds "# >>> PrimeHub x >>>" twice' } })
    );
    expect(d).toMatchObject({ cause: 'config-missing' });
    expect(d.problem).toContain('is broken: the SSH config holds');
  });

  test('a block pointing at an old bastion port is stale', () => {
    const d = diagnose(
      facts({
        config: { ...facts().config, bastion: { user: 'limited-user', hostname: SPEC.bastionHost, port: 2223 } }
      })
    );
    expect(d.cause).toBe('config-stale');
  });

  test('the report marks the hops passed, the one that failed, and those not reached', () => {
    const f = facts({ probe: { ok: false, hop: 'tunnel', failure: 'other', message: 'Channel open failure' } });
    const lines = reportLines(f, diagnose(f));
    expect(lines).toEqual(
      expect.arrayContaining([
        '✓ the bastion (TCP)',
        '✓ the bastion (sign-in as limited-user)',
        '✗ the tunnel from the bastion to the notebook',
        "– the notebook's SSH server (sign-in)",
        '    Channel open failure'
      ])
    );
    expect(lines.join('\n')).toMatch(/Fails at the tunnel from the bastion to the notebook: .*\.\nFix: /);
  });
});
