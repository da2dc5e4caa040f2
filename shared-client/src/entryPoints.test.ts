import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleBrowserEntry } from './testing/bundle';
import * as browser from './browser';
import * as node from './index';
import * as compare from './compare/index';
import * as notebook from './notebook/index';

const NODE_ONLY = ['createNodeLocalFs', 'defaultConfigPath', 'loadConfig', 'saveConfig', 'UndiciTransport'];

describe('entry points', () => {
  it('export the same core API', () => {
    const nodeNames = Object.keys(node)
      .filter(n => !NODE_ONLY.includes(n))
      .sort();
    expect(nodeNames).toEqual(Object.keys(browser).sort());
  });

  it('name one PrimeHubClient each, re-export explicitly and keep test helpers out', () => {
    for (const names of [Object.keys(node), Object.keys(browser)]) {
      expect(names.filter(n => /PrimeHubClient$/.test(n))).toEqual(['PrimeHubClient']);
      expect(names).not.toContain('OverlapAligner');
    }
    // internals never leak through a star export: only the Node entry re-exports the browser's list
    for (const entry of [
      'index.ts',
      'browser.ts',
      path.join('notebook', 'index.ts'),
      path.join('compare', 'index.ts')
    ]) {
      const stars = fs.readFileSync(path.join(__dirname, entry), 'utf8').match(/^export \* from .*$/gm) ?? [];
      expect(stars).toEqual(entry === 'index.ts' ? ["export * from './browser';"] : []);
    }
  });

  it('hold one audience each: notebook helpers only under /notebook, internals in no entry', () => {
    const internals = ['ALL_OPERATIONS', 'OPERATIONS_BY_MODULE', 'defineOperation', 'backoffDelay', 'retryPolicy'];
    const notebookHelpers = Object.keys(notebook);
    expect(notebookHelpers).toEqual(
      expect.arrayContaining(['parseNotebookParameters', 'expandSweep', 'parseNotebookRunScript', 'notebookRunOutput'])
    );
    for (const names of [Object.keys(node), Object.keys(browser)]) {
      expect(names.filter(n => internals.includes(n) || notebookHelpers.includes(n))).toEqual([]);
      // the root keeps the client, its errors and small domain helpers
      expect(names).toEqual(
        expect.arrayContaining(['PrimeHubClient', 'PrimeHubError', 'isPaused', 'readServerHealth', 'phfsUri'])
      );
    }
    expect(Object.keys(notebook).filter(n => internals.includes(n) || n === 'PrimeHubClient')).toEqual([]);
  });

  it('keep Compare under /compare only: the browser bundle has no room for it', () => {
    const compareNames = Object.keys(compare);
    expect(compareNames).toEqual(
      expect.arrayContaining(['findRuns', 'compareRuns', 'chartSeries', 'mlflowCompareUrl'])
    );
    for (const names of [Object.keys(node), Object.keys(browser), Object.keys(notebook)]) {
      expect(names.filter(n => compareNames.includes(n))).toEqual([]);
    }
  });

  it('give Node fromConfig and the browser none', () => {
    expect(typeof node.PrimeHubClient.fromConfig).toBe('function');
    expect('fromConfig' in browser.PrimeHubClient).toBe(false);
    expect(node.PrimeHubClient.prototype).toBeInstanceOf(browser.PrimeHubClient);
  });

  it('bundle for the browser with webpack: no Node built-ins, no undici, no dependency but croner', async () => {
    const { gzipped, modules, warnings } = await bundleBrowserEntry();
    expect(warnings).toEqual([]);
    // one dependency reaches the browser: croner, which reads cron lines as PrimeHub Local does
    expect(modules.filter(m => /node:|undici|node_modules\/(?!croner\/)/.test(m))).toEqual([]);
    expect(modules.length).toBeGreaterThan(20);
    // The whole API (a library bundle keeps every export). Its size goal (< 30 KB gzipped) is
    // test/bench/client's bundle-size benchmark; this bound only catches a large dependency pulled in.
    expect(gzipped).toBeLessThan(40 * 1024);
  });

  it('map package.json exports to the built files', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.exports['.'].node.default).toBe('./dist/index.js');
    expect(pkg.exports['.'].default.default).toBe('./dist/browser.js');
    expect(pkg.exports['./node'].default).toBe('./dist/index.js');
    expect(pkg.exports['./notebook'].default).toBe('./dist/notebook/index.js');
    // bundlers (webpack's `module` condition) get the ES module build, Node the CommonJS one
    expect(pkg.exports['./browser'].module).toBe('./dist/esm/browser.js');
    expect(pkg.exports['.'].default.module).toBe('./dist/esm/browser.js');
    expect(pkg.exports['./notebook'].module).toBe('./dist/esm/notebook/index.js');
    expect(pkg.typesVersions['*'].notebook).toEqual(['dist/notebook/index.d.ts']);
    expect(pkg.exports['./compare'].default).toBe('./dist/compare/index.js');
    expect(pkg.exports['./compare'].module).toBe('./dist/esm/compare/index.js');
    expect(pkg.typesVersions['*'].compare).toEqual(['dist/compare/index.d.ts']);
  });
});
