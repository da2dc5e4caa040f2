import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationError } from '../errors';
import { defaultConfigPath, loadConfig, saveConfig } from './config';
import { PrimeHubClient } from './PrimeHubClient';

describe('SDK config (file < env < explicit)', () => {
  let home: string;
  let savedHome: string | undefined;
  const file = (): string => path.join(home, '.primehub', 'config.json');
  const writeFile = (json: unknown): void => {
    fs.mkdirSync(path.dirname(file()), { recursive: true });
    fs.writeFileSync(file(), JSON.stringify(json));
  };

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-home-'));
    savedHome = process.env.HOME;
    process.env.HOME = home;
    // never touch the real ~/.primehub of the machine running the tests
    if (!defaultConfigPath().startsWith(home)) {
      throw new Error('HOME override is not honoured; refusing to run config tests');
    }
  });
  afterEach(() => {
    process.env.HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('defaults to ~/.primehub/config.json under HOME', () => {
    expect(defaultConfigPath()).toBe(file());
  });

  it('reads the SDK file format', async () => {
    writeFile({
      endpoint: 'https://a/api/graphql',
      'api-token': 'file-token',
      group: { id: 'g1', name: 'team_a', displayName: 'Team A' }
    });
    const cfg = await loadConfig({ env: {} });
    expect(cfg).toMatchObject({
      endpoint: 'https://a/api/graphql',
      token: 'file-token',
      group: 'team_a',
      groupInfo: { id: 'g1', name: 'team_a', displayName: 'Team A' },
      sources: { endpoint: 'file', token: 'file', group: 'file' }
    });
  });

  it('env overrides the file, explicit overrides env', async () => {
    writeFile({
      endpoint: 'https://file/api/graphql',
      'api-token': 'file-token',
      group: { id: 'g1', name: 'filegroup' }
    });
    const env = {
      PRIMEHUB_API_ENDPOINT: 'https://env/api/graphql',
      PRIMEHUB_API_TOKEN: 'env-token',
      PRIMEHUB_GROUP: 'envgroup'
    };
    const fromEnv = await loadConfig({ env });
    expect(fromEnv).toMatchObject({ endpoint: 'https://env/api/graphql', token: 'env-token', group: 'envgroup' });
    expect(fromEnv.groupInfo).toBeUndefined();
    const explicit = await loadConfig({ env, token: 'explicit-token', group: 'mine' });
    expect(explicit).toMatchObject({
      endpoint: 'https://env/api/graphql',
      token: 'explicit-token',
      group: 'mine',
      sources: { endpoint: 'env', token: 'explicit', group: 'explicit' }
    });
  });

  it('ignores empty env values and a missing file', async () => {
    const cfg = await loadConfig({ env: { PRIMEHUB_API_TOKEN: '' } });
    expect(cfg.token).toBeUndefined();
    expect(cfg.sources).toEqual({});
  });

  it('honours an explicit config path', async () => {
    const other = path.join(home, 'elsewhere.json');
    fs.writeFileSync(other, JSON.stringify({ endpoint: 'https://other/api/graphql' }));
    expect((await loadConfig({ configPath: other, env: {} })).endpoint).toBe('https://other/api/graphql');
  });

  it('rejects a corrupt file with a ValidationError naming it', async () => {
    writeFile('not json');
    fs.writeFileSync(file(), '{oops');
    await expect(loadConfig({ env: {} })).rejects.toThrow(ValidationError);
    await expect(loadConfig({ env: {} })).rejects.toThrow(file());
  });

  it('saveConfig writes the SDK format with mode 0600, atomically, keeping unknown keys', async () => {
    writeFile({ endpoint: 'https://old/api/graphql', custom: 42 });
    const written = await saveConfig({
      endpoint: 'https://new/api/graphql',
      token: 'saved-token',
      group: { id: 'g2', name: 'g_two', displayName: 'G Two' }
    });
    expect(written).toBe(file());
    const json = JSON.parse(fs.readFileSync(file(), 'utf8'));
    expect(json).toEqual({
      endpoint: 'https://new/api/graphql',
      'api-token': 'saved-token',
      group: { id: 'g2', name: 'g_two', displayName: 'G Two' },
      custom: 42
    });
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file()))).toEqual(['config.json']);
    const cfg = await loadConfig({ env: {} });
    expect(cfg).toMatchObject({ token: 'saved-token', group: 'g_two' });
  });

  it('saveConfig creates the folder with mode 0700', async () => {
    const target = path.join(home, 'fresh', 'config.json');
    await saveConfig({ token: 't' }, { configPath: target });
    expect(fs.statSync(path.dirname(target)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });

  it('PrimeHubClient.fromConfig applies the precedence', async () => {
    writeFile({
      endpoint: 'https://file.example/api/graphql',
      'api-token': 'file-token',
      group: { id: 'g1', name: 'filegroup' }
    });
    const client = await PrimeHubClient.fromConfig({ env: { PRIMEHUB_GROUP: 'envgroup' }, proxy: false });
    expect(client.endpoint).toBe('https://file.example/api/graphql');
    expect(client.currentGroupName).toBe('envgroup');
    await client.close();
    const explicit = await PrimeHubClient.fromConfig({ env: {}, group: 'explicit', proxy: false });
    expect(explicit.currentGroupName).toBe('explicit');
    await explicit.close();
  });

  it('fromConfig explains a missing endpoint or token', async () => {
    await expect(PrimeHubClient.fromConfig({ env: {} })).rejects.toThrow(/no PrimeHub endpoint/);
    await expect(PrimeHubClient.fromConfig({ env: { PRIMEHUB_API_ENDPOINT: 'http://x/api/graphql' } })).rejects.toThrow(
      /no PrimeHub API token/
    );
  });
});
