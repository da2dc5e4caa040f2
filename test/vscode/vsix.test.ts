/** The VSIX carries the bundle, its source map, the manifest, README, icons and the Compare and Test Endpoint webviews' files (with their shared stylesheet): no node_modules, no tests. */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, ensureExtensionBuilt, VSIX } from './extensionBuild';

jest.setTimeout(300_000);

test('the VSIX holds only what the extension needs at run time', () => {
  ensureExtensionBuilt();
  const vsce = join(EXTENSION_DIR, '..', 'node_modules', '.bin', 'vsce');
  const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: EXTENSION_DIR, encoding: 'utf8' })
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
    .sort();
  expect(files).toEqual([
    'README.md',
    'dist/codicons/codicon.css',
    'dist/codicons/codicon.ttf',
    'dist/extension.js',
    'dist/extension.js.map',
    'package.json',
    'resources/compare/compare.css',
    'resources/compare/compare.js',
    'resources/primehub.svg',
    'resources/tester/tester.css',
    'resources/tester/tester.js',
    'resources/webview/webview.css'
  ]);
  expect(statSync(VSIX).size).toBeLessThan(2 * 1024 * 1024);
});
