import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthError,
  NotFoundError,
  PermissionError,
  PrimeHubClient,
  QuotaError,
  ValidationError,
  loadConfig
} from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientAs, clientFor, removeDir, tempDir } from './support';

/**
 * Connecting as a user does (the SDK's config file and environment), identity and group
 * resources, and the typed errors a user gets for the usual mistakes, against a real PrimeHub Local.
 */
describe('client: connecting, identity and errors', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;
  let home: string;
  const others: PrimeHubClient[] = [];

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    // a second group with its own member, and a group whose CPU quota fits no instance type
    server.cli('group', 'add', 'team-b', '--display-name', 'Team B');
    server.cli('user', 'add', 'bob', '--group', 'team-b');
    server.cli('group', 'add', 'tight', '--cpu-quota', '0.5');
    server.cli('user', 'add', 'tina', '--group', 'tight');
    client = await clientFor(server);
    home = tempDir('home');
  });

  afterAll(async () => {
    await Promise.all([client?.close(), ...others.map(c => c.close())]);
    await server?.dispose();
    removeDir(home);
  });

  const track = (c: PrimeHubClient): PrimeHubClient => {
    others.push(c);
    return c;
  };

  describe('configuration', () => {
    test('fromConfig reads the SDK config file PrimeHub Local writes', async () => {
      expect(client.endpoint).toBe(server.endpoint);
      expect(client.currentGroupName).toBe(server.groupName);
      const me = await client.me.get();
      expect(me).toMatchObject({ username: 'phuser', isAdmin: false });
      expect(await client.group()).toMatchObject({ id: server.groupId, name: server.groupName });
    });

    test('without configPath, ~/.primehub/config.json of $HOME is used', async () => {
      mkdirSync(join(home, '.primehub'), { recursive: true });
      copyFileSync(join(server.dataDir, 'config.json'), join(home, '.primehub', 'config.json'));
      const c = track(await PrimeHubClient.fromConfig({ env: { HOME: home } }));
      expect((await c.me.get()).username).toBe('phuser');
      expect(c.currentGroupName).toBe(server.groupName);
    });

    test('environment beats the file, explicit options beat the environment', async () => {
      const bobToken = server.cli('token', '--user', 'bob');
      const configPath = join(server.dataDir, 'config.json');
      // env token and group win over the file's
      const viaEnv = track(
        await PrimeHubClient.fromConfig({ configPath, env: { PRIMEHUB_API_TOKEN: bobToken, PRIMEHUB_GROUP: 'team-b' } })
      );
      expect((await viaEnv.me.get()).username).toBe('bob');
      expect((await viaEnv.group()).name).toBe('team-b');
      // explicit token and group win over the environment
      const explicit = track(
        await PrimeHubClient.fromConfig({
          configPath,
          env: { PRIMEHUB_API_TOKEN: bobToken, PRIMEHUB_GROUP: 'team-b' },
          token: server.token,
          group: server.groupName
        })
      );
      expect((await explicit.me.get()).username).toBe('phuser');
      expect((await explicit.group()).id).toBe(server.groupId);

      // a file pointing at a dead endpoint is overridden by PRIMEHUB_API_ENDPOINT
      const stale = join(home, 'stale.json');
      writeFileSync(
        stale,
        JSON.stringify({
          endpoint: 'http://127.0.0.1:9/api/graphql',
          'api-token': server.token,
          group: { id: server.groupId, name: server.groupName, displayName: 'PrimeHub Users' }
        })
      );
      const cfg = await loadConfig({ configPath: stale, env: { PRIMEHUB_API_ENDPOINT: server.endpoint } });
      expect(cfg.sources).toEqual({ endpoint: 'env', token: 'file', group: 'file' });
      const viaEnvEndpoint = track(
        await PrimeHubClient.fromConfig({ configPath: stale, env: { PRIMEHUB_API_ENDPOINT: server.endpoint } })
      );
      expect((await viaEnvEndpoint.me.get()).username).toBe('phuser');
    });

    test('a missing endpoint or token is a ValidationError naming what to set', async () => {
      const empty = join(home, 'nothing.json');
      await expect(PrimeHubClient.fromConfig({ configPath: empty, env: {} })).rejects.toThrow(ValidationError);
      await expect(PrimeHubClient.fromConfig({ configPath: empty, env: {} })).rejects.toThrow(/PRIMEHUB_API_ENDPOINT/);
      await expect(
        PrimeHubClient.fromConfig({ configPath: empty, env: { PRIMEHUB_API_ENDPOINT: server.endpoint } })
      ).rejects.toThrow(/PRIMEHUB_API_TOKEN/);
    });
  });

  describe('identity and group resources', () => {
    test('edition is ee and the license is readable', async () => {
      expect(await client.edition()).toBe('ee');
      expect((await client.license())?.licenseStatus).toBe('unexpired');
    });

    test('groups lists the effective groups with quotas', async () => {
      const groups = await client.groups.list();
      expect(groups.map(g => g.name)).toEqual([server.groupName]);
      expect(groups[0]).toMatchObject({ id: server.groupId, displayName: 'PrimeHub Users' });
      expect(groups[0]).toHaveProperty('projectQuotaCpu');
      const tina = track(clientAs(server, 'tina', 'tight'));
      expect((await tina.groups.list())[0]).toMatchObject({ name: 'tight', projectQuotaCpu: 0.5 });
    });

    test('instance types and images of the group', async () => {
      const types = await client.groups.instanceTypes();
      expect(types.map(t => t.name).sort()).toEqual(['cpu-1', 'cpu-2', 'gpu-1']);
      expect(types.find(t => t.name === 'cpu-1')).toMatchObject({ cpuLimit: 1, memoryLimit: 1, gpuLimit: 0 });
      const images = await client.groups.images();
      expect(images.map(i => i.name)).toEqual(expect.arrayContaining(['base-notebook', 'pytorch-1', 'tf-2']));
      expect(await client.groups.current()).toMatchObject({ id: server.groupId });
    });

    test('an unknown group name is a NotFoundError listing the groups the user has', async () => {
      await expect(client.groups.instanceTypes({ group: 'team-b' })).rejects.toThrow(NotFoundError);
      await expect(client.groups.instanceTypes({ group: 'team-b' })).rejects.toThrow(/not among your groups.*phusers/);
    });
  });

  describe('typed errors', () => {
    test('an unknown job id is a NotFoundError', async () => {
      const err = await client.jobs.get('job-202001010000-zzzzzz').catch(e => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ code: 'NOT_FOUND', serverCode: 'RESOURCE_NOT_FOUND' });
      await expect(client.jobs.cancel('job-202001010000-zzzzzz')).rejects.toThrow(NotFoundError);
      await expect(client.schedules.get('recurrence-zzzzzz')).rejects.toThrow(NotFoundError);
      await expect(client.files.download('/no/such/file.txt')).rejects.toThrow(NotFoundError);
    });

    test("another group's job is a PermissionError", async () => {
      const bob = track(clientAs(server, 'bob', 'team-b'));
      const job = await bob.jobs.submit({
        displayName: 'bobs-job',
        instanceType: 'cpu-1',
        image: 'base-notebook',
        command: 'echo private'
      });
      for (const call of [
        () => client.jobs.get(job.id),
        () => client.jobs.cancel(job.id),
        () => client.jobs.rerun(job.id),
        () => client.jobs.artifacts(job.id)
      ]) {
        const err = await call().catch(e => e);
        expect(err).toBeInstanceOf(PermissionError);
        expect(err).toMatchObject({ code: 'PERMISSION_DENIED', serverCode: 'NOT_AUTH' });
      }
      // and it is not in phuser's listings
      expect((await client.jobs.list({ search: 'bobs-job' })).items).toEqual([]);
      expect((await bob.jobs.wait(job.id, { timeoutMs: 30_000 })).phase).toBe('Succeeded');
    });

    test('an instance type beyond the group quota is a QuotaError', async () => {
      const tina = track(clientAs(server, 'tina', 'tight'));
      const err = await tina.jobs
        .submit({ displayName: 'too-big', instanceType: 'cpu-1', image: 'base-notebook', command: 'true' })
        .catch(e => e);
      expect(err).toBeInstanceOf(QuotaError);
      expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', serverCode: 'EXCEED_QUOTA' });
      expect(err.message).toMatch(/Group Cpu Quota exceeded/);
      await expect(
        tina.schedules.create({
          displayName: 'too-big',
          instanceType: 'cpu-2',
          image: 'base-notebook',
          command: 'true',
          recurrence: { type: 'daily' }
        })
      ).rejects.toThrow(QuotaError);
    });

    test('a bad token is an AuthError on GraphQL and REST, and the token never shows', async () => {
      const bad = 'not-a-real-token-0123456789';
      const c = track(new PrimeHubClient({ endpoint: server.endpoint, token: bad, group: server.groupName }));
      const err = await c.me.get().catch(e => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(err).toMatchObject({ code: 'AUTH_FAILED' });
      expect(err.message).toMatch(/Invalid API Token/);
      expect(JSON.stringify({ message: err.message, request: err.request, errors: err.errors })).not.toContain(bad);

      // REST with a valid group id but a bad token (the group is resolved through a good client)
      const url = await client.files.url('/x.txt');
      const rest = await c.rest({ method: 'GET', url }).catch(e => e);
      expect(rest).toBeInstanceOf(AuthError);
      expect(rest.status).toBe(403);
    });

    test('an expired token is an AuthError', async () => {
      const token = server.cli('token', '--user', 'phuser', '--expires-in', '3');
      // The lifetime starts inside the CLI, before it returns: expired for sure 3 s after it did.
      const returned = Date.now();
      const c = track(new PrimeHubClient({ endpoint: server.endpoint, token, group: server.groupName, retry: false }));
      expect((await c.me.get()).username).toBe('phuser');
      await new Promise(r => setTimeout(r, returned + 3_200 - Date.now()));
      await expect(c.me.get()).rejects.toThrow(AuthError);
      await expect(c.jobs.list()).rejects.toThrow(AuthError);
    });
  });
});
