import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requires } from '../../shared-client/src/testing/paths';
import { REPO_ROOT } from '../kit/localServer';

const PACKAGE = join(REPO_ROOT, 'shared-client');
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** What an extension's code imports: every entry point, with the types each must (not) offer. */
const SOURCE = `
import { PrimeHubClient } from '@primehub-suite/client';
import { PrimeHubClient as NodeClient, saveConfig } from '@primehub-suite/client/node';
import { PrimeHubClient as BrowserClient, type NotebookRunSpec } from '@primehub-suite/client/browser';
import { parseNotebookParameters, coerceParameterInput, notebookRunParameters } from '@primehub-suite/client/notebook';
import { compareRuns, findRuns, type Comparison } from '@primehub-suite/client/compare';

export const root = new PrimeHubClient({ endpoint: 'https://ph.example/api/graphql' });
export const fromConfig = NodeClient.fromConfig;
export const save = saveConfig;
export const onDisk = (c: NodeClient) => c.files.uploadFile('a', '/b');
export const browser = new BrowserClient({ baseUrl: 'https://lab.example/user/a/primehub-suite/proxy/api' });
// @ts-expect-error the browser build offers no disk transfers
export const noDisk = browser.files.uploadFile;
export const spec: Pick<NotebookRunSpec, 'notebook'> = { notebook: { volumePath: 'p/train.ipynb' } };
export const helpers = [parseNotebookParameters, coerceParameterInput, notebookRunParameters];
export const compared: Comparison = compareRuns([]);
export const find = () => findRuns(root.models, { jobs: [] });
`;

const MODES: Record<string, Record<string, string>> = {
  node: { module: 'commonjs', moduleResolution: 'node' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' }
};

/**
 * The published package's types resolve under every moduleResolution an extension template uses:
 * `node` (through typesVersions), `node16` and `bundler` (through exports). tsc checks a small
 * project that imports `@primehub-suite/client` the way the extensions do.
 */
describe('client package: types resolve under node, node16 and bundler', () => {
  let dir: string;

  beforeAll(() => {
    requires(
      existsSync(join(PACKAGE, 'dist', 'index.d.ts')) && existsSync(join(PACKAGE, 'dist', 'esm', 'browser.js')),
      'the built client (shared-client/dist, built by `npm run build`)'
    );
    dir = mkdtempSync(join(tmpdir(), 'phc-types-'));
    mkdirSync(join(dir, 'node_modules', '@primehub-suite'), { recursive: true });
    symlinkSync(PACKAGE, join(dir, 'node_modules', '@primehub-suite', 'client'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
    writeFileSync(join(dir, 'index.ts'), SOURCE);
  });

  afterAll(() => {
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(Object.keys(MODES))('moduleResolution %s', mode => {
    const config = join(dir, `tsconfig.${mode}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...MODES[mode],
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: []
        },
        files: ['index.ts']
      })
    );
    const res = spawnSync(process.execPath, [TSC, '-p', config], { encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });
});
