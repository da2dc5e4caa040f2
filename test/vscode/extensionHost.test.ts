/**
 * The extension's integration tests: mocha inside the real VS Code extension host (code-server's
 * VS Code 1.100 in headless Chromium, through the wrapper given to @vscode/test-electron's runTests)
 * against a real PrimeHub Local started here.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { LocalServerProcess } from '../kit/localServer';
import { EXTENSION_DIR, ensureExtensionBuilt, INTEGRATION_TESTS, TEST_HOST } from './extensionBuild';

jest.setTimeout(600_000);

let server: LocalServerProcess;
let scratch: string;
let token2: string;

beforeAll(async () => {
  ensureExtensionBuilt();
  server = await LocalServerProcess.start();
  server.cli('group', 'add', 'research', '--display-name', 'Research');
  server.cli('user', 'add', 'alice', '--group', server.groupName, '--group', 'research');
  token2 = server.cli('token', '--user', 'alice');
  scratch = mkdtempSync(join(tmpdir(), 'primehub-vscode-it-'));
});

afterAll(async () => {
  await server?.dispose();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('mocha suites pass inside the VS Code extension host', async () => {
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const code = await runTests({
    vscodeExecutablePath: TEST_HOST,
    extensionDevelopmentPath: EXTENSION_DIR,
    extensionTestsPath: INTEGRATION_TESTS,
    launchArgs: [
      workspace,
      `--user-data-dir=${join(scratch, 'user-data')}`,
      `--extensions-dir=${join(scratch, 'extensions')}`
    ],
    extensionTestsEnv: {
      PRIMEHUB_TEST_ENDPOINT: server.endpoint,
      PRIMEHUB_TEST_TOKEN: server.token,
      PRIMEHUB_TEST_GROUP: server.groupName,
      PRIMEHUB_TEST_DATA_DIR: server.dataDir,
      PRIMEHUB_TEST_USER2: 'alice',
      PRIMEHUB_TEST_TOKEN2: token2,
      PRIMEHUB_TEST_GROUP2: 'research',
      // the extension must not find the developer's own SDK config or environment
      HOME: scratch,
      PRIMEHUB_API_ENDPOINT: '',
      PRIMEHUB_API_TOKEN: '',
      PRIMEHUB_GROUP: ''
    }
  });
  expect(code).toBe(0);
});
