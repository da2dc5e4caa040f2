import type { DeploymentDetail } from '@primehub-suite/client';
import { MemorySecrets } from '../testing/fakes';
import { ClientCredentials, type CredentialPrompts } from './ClientCredentials';

const d = (clients: string[]): DeploymentDetail =>
  ({ id: 'iris-1', name: 'iris', endpointClients: clients.map(name => ({ name })) }) as unknown as DeploymentDetail;

function setup(answers: { pick?: string; token?: string } = {}) {
  const asked: string[] = [];
  const prompts: CredentialPrompts = {
    noClient: async x => void asked.push(`noClient ${x.name}`),
    pickClient: async (_x, clients) => (asked.push(`pick ${clients.join(',')}`), answers.pick),
    askToken: async (_x, client) => (asked.push(`token ${client}`), answers.token)
  };
  const secrets = new MemorySecrets();
  const credentials = new ClientCredentials(secrets, id => `profile/group/${id}`, prompts);
  return { credentials, secrets, asked };
}

describe('the clients Test Endpoint sends as', () => {
  it('takes the only client without asking, asks its token once and keeps it once it works', async () => {
    const { credentials, secrets, asked } = setup({ token: 's3cret' });
    const auth = await credentials.auth(d(['tester']));
    expect(auth).toEqual({ username: 'tester', password: 's3cret' });
    expect(asked).toEqual(['token tester']);
    await credentials.answered('iris-1', auth!, 200);
    expect([...secrets.data]).toEqual([['primehub.deployments.clientToken/profile/group/iris-1/tester', 's3cret']]);
    expect(await credentials.auth(d(['tester']))).toEqual(auth);
    expect(asked).toEqual(['token tester']);
  });

  it('forgets a refused token, and asks again next time', async () => {
    const { credentials, secrets, asked } = setup({ token: 'wrong' });
    await credentials.keep('iris-1', 'tester', 'wrong');
    const auth = await credentials.auth(d(['tester']));
    await credentials.answered('iris-1', auth!, 401);
    expect(secrets.data.size).toBe(0);
    await credentials.auth(d(['tester']));
    expect(asked).toEqual(['token tester']);
  });

  it('asks which of several clients once per deployment; none given sends nothing', async () => {
    const { credentials, asked } = setup({ pick: 'b', token: 't' });
    expect((await credentials.auth(d(['a', 'b'])))?.username).toBe('b');
    expect((await credentials.auth(d(['a', 'b'])))?.username).toBe('b');
    expect(asked.filter(a => a.startsWith('pick'))).toEqual(['pick a,b']);
    expect(await setup().credentials.auth(d(['a', 'b']))).toBeUndefined();
  });

  it('says a private endpoint has no client yet', async () => {
    const { credentials, asked } = setup();
    expect(await credentials.client(d([]))).toBeUndefined();
    expect(asked).toEqual(['noClient iris']);
  });

  it('keeps no token without a keyring (it is asked again)', async () => {
    const { credentials, secrets } = setup();
    secrets.failStore = true;
    await expect(credentials.keep('iris-1', 'tester', 't')).resolves.toBeUndefined();
    expect(secrets.data.size).toBe(0);
  });
});
