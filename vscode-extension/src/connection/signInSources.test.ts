import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSignInSources } from './signInSources';

describe('findSignInSources', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'primehub-sources-'));
  });

  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('offers the SDK config file and the PRIMEHUB_* environment separately', async () => {
    mkdirSync(join(home, '.primehub'));
    writeFileSync(
      join(home, '.primehub', 'config.json'),
      JSON.stringify({
        endpoint: 'https://hub.example.com/api/graphql',
        'api-token': 'file-token',
        group: { name: 'ml' }
      })
    );
    const { sources, problems } = await findSignInSources({
      HOME: home,
      PRIMEHUB_API_ENDPOINT: 'http://127.0.0.1:5000/api/graphql',
      PRIMEHUB_API_TOKEN: 'env-token',
      PRIMEHUB_GROUP: 'phusers'
    });
    expect(problems).toEqual([]);
    expect(sources).toEqual([
      expect.objectContaining({
        kind: 'file',
        endpoint: 'https://hub.example.com/api/graphql',
        token: 'file-token',
        group: 'ml'
      }),
      expect.objectContaining({
        kind: 'env',
        endpoint: 'http://127.0.0.1:5000/api/graphql',
        token: 'env-token',
        group: 'phusers'
      })
    ]);
  });

  it('offers nothing without endpoint and token, and reports a broken config file', async () => {
    expect(await findSignInSources({ HOME: home, PRIMEHUB_API_ENDPOINT: 'http://x' })).toEqual({
      sources: [],
      problems: []
    });
    mkdirSync(join(home, '.primehub'));
    writeFileSync(join(home, '.primehub', 'config.json'), '{ not json');
    const { sources, problems } = await findSignInSources({ HOME: home });
    expect(sources).toEqual([]);
    expect(problems[0]).toMatch(/invalid PrimeHub config/);
  });
});
