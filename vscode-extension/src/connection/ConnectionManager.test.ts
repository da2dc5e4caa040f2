import { AuthError, NetworkError, NotFoundError, type PrimeHubClient } from '@primehub-suite/client';
import { Logger, NULL_SINK } from '../logger/Logger';
import { MemorySecrets, MemoryStore } from '../testing/fakes';
import { ClientFactory, ConnectionManager } from './ConnectionManager';
import { ProfileModel } from './ProfileModel';

const GROUPS = [
  { id: 'g1', name: 'phusers', displayName: 'PrimeHub users' },
  { id: 'g2', name: 'research', displayName: null }
];

interface FakeBehaviour {
  me?: () => Promise<unknown>;
}

function setup(behaviour: FakeBehaviour = {}) {
  const secrets = new MemorySecrets();
  const state = new MemoryStore();
  const built: Array<{ options: Parameters<ClientFactory>[0]; closed: boolean; group?: string }> = [];
  const factory: ClientFactory = options => {
    const record = { options, closed: false, group: options.group };
    built.push(record);
    return {
      me: { get: behaviour.me ?? (async () => ({ id: 'u1', username: 'phadmin' })) },
      effectiveGroups: async () => GROUPS,
      setGroup: (g: string) => (record.group = g),
      close: async () => {
        record.closed = true;
      }
    } as unknown as PrimeHubClient;
  };
  const manager = new ConnectionManager(new ProfileModel(state), secrets, factory, new Logger(NULL_SINK, 'test'));
  return { manager, secrets, state, built };
}

describe('ConnectionManager', () => {
  it('signs in: verifies with me, keeps the token only in secret storage, picks the first group', async () => {
    const { manager, secrets, state, built } = setup();
    const states: string[] = [];
    manager.onDidChangeState(s => states.push(s));
    const profile = await manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: ' secret-token ' });
    expect(profile).toMatchObject({
      label: 'PrimeHub Local',
      endpoint: 'http://127.0.0.1:5000/api/graphql',
      group: 'phusers'
    });
    expect(secrets.data.get(ConnectionManager.secretKey(profile.id))).toBe('secret-token');
    expect(JSON.stringify([...state.data])).not.toContain('secret-token');
    expect(manager.state).toBe('signedIn');
    expect(states).toEqual(['signedIn']);
    expect(built[0].closed).toBe(true); // the verification client is closed
    expect(await built[0].options.getToken()).toBe('secret-token');
  });

  it('keeps a requested group and reuses the profile of the same endpoint and user', async () => {
    const { manager } = setup();
    const a = await manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: 't1', group: 'research' });
    const b = await manager.signIn({ endpoint: 'http://127.0.0.1:5000/api/graphql', token: 't2' });
    expect(b.id).toBe(a.id);
    expect(b.group).toBe('research');
    expect(manager.profiles.profiles).toHaveLength(1);
  });

  it.each([
    ['badToken', new AuthError('Context creation failed: bad token')],
    ['selfSigned', new NetworkError('request failed: DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate')],
    ['unreachable', new NetworkError('request failed: ECONNREFUSED')],
    ['notPrimeHub', new NotFoundError('POST http://x/api/graphql failed with HTTP 404')]
  ])('reports %s and stores nothing', async (problem, error) => {
    const { manager, secrets } = setup({ me: () => Promise.reject(error) });
    await expect(manager.signIn({ endpoint: 'http://x', token: 't' })).rejects.toMatchObject({ problem });
    expect(secrets.data.size).toBe(0);
    expect(manager.profiles.profiles).toHaveLength(0);
    expect(manager.state).toBe('signedOut');
  });

  it('does not fall back to plain storage when the keyring fails', async () => {
    const { manager, secrets, state } = setup();
    secrets.failStore = true;
    await expect(manager.signIn({ endpoint: 'http://x', token: 'tok' })).rejects.toThrow(/secret storage/);
    expect(JSON.stringify([...state.data])).not.toContain('tok');
  });

  it('signs out: removes the secret and switches to the remaining profile', async () => {
    const { manager, secrets } = setup();
    const local = await manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: 't1' });
    const cluster = await manager.signIn({ endpoint: 'https://hub.example.com', token: 't2' });
    expect(manager.profile?.id).toBe(cluster.id);
    await manager.signOut();
    expect(secrets.data.has(ConnectionManager.secretKey(cluster.id))).toBe(false);
    expect(manager.profile?.id).toBe(local.id);
    expect(manager.state).toBe('signedIn');
    await manager.signOut();
    expect(manager.state).toBe('signedOut');
    expect(secrets.data.size).toBe(0);
    expect(() => manager.client).toThrow(/Not signed in/);
  });

  it('restores the active profile without a network call and builds one client per profile', async () => {
    const first = setup();
    await first.manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: 't1' });
    const again = new ConnectionManager(
      first.manager.profiles,
      first.secrets,
      options => {
        first.built.push({ options, closed: false });
        return { setGroup: () => undefined, close: async () => undefined } as unknown as PrimeHubClient;
      },
      new Logger(NULL_SINK, 'test')
    );
    const before = first.built.length;
    expect(await again.restore()).toBe('signedIn');
    expect(first.built.length).toBe(before);
    expect(again.client).toBe(again.client);
    expect(first.built.length).toBe(before + 1);
  });

  it('switches group and marks an expired token', async () => {
    const { manager, built } = setup();
    await manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: 't1' });
    const groups: Array<string | undefined> = [];
    manager.onDidChangeGroup(g => groups.push(g));
    void manager.client;
    await manager.setGroup('research');
    expect(manager.profile?.group).toBe('research');
    expect(built[built.length - 1].group).toBe('research');
    expect(groups).toEqual(['research']);
    manager.markExpired();
    expect(manager.state).toBe('expired');
  });

  it('the client’s refused token turns the active connection to "sign in again"; a failed call is only noted', async () => {
    const { manager, built } = setup();
    await manager.signIn({ endpoint: 'http://127.0.0.1:5000', token: 't1' });
    const failures: unknown[] = [];
    manager.onDidFail(e => failures.push(e));
    const offline = new NetworkError('connection refused');
    await expect(manager.call(async () => Promise.reject(offline))).rejects.toBe(offline);
    expect(manager.state).toBe('signedIn');
    expect(failures).toEqual([offline]);
    await expect(manager.call(async c => (c === manager.client ? 'same client' : 'other'))).resolves.toBe(
      'same client'
    );
    // the verifying client of the sign-in has no onAuthError: a wrong token there is a sign-in error
    expect(built[0].options.onAuthError).toBeUndefined();
    // the profile's client reports a refused token, whichever API made the call
    built[built.length - 1].options.onAuthError!();
    expect(manager.state).toBe('expired');
  });
});
