import * as fs from 'node:fs';
import * as path from 'node:path';
import * as browser from './browser';
import * as node from './index';

const NODE_ONLY = ['createNodeLocalFs', 'defaultConfigPath', 'loadConfig', 'saveConfig', 'UndiciTransport'];

describe('entry points', () => {
  it('export the same core API', () => {
    const nodeNames = Object.keys(node)
      .filter(n => !NODE_ONLY.includes(n))
      .sort();
    expect(nodeNames).toEqual(Object.keys(browser).sort());
  });

  it('give Node fromConfig and the browser none', () => {
    expect(typeof node.PrimeHubClient.fromConfig).toBe('function');
    expect('fromConfig' in browser.PrimeHubClient).toBe(false);
    expect(node.PrimeHubClient.prototype).toBeInstanceOf(browser.PrimeHubClient);
  });

  it('keep Node modules and undici out of the browser module graph', () => {
    const seen = new Set<string>();
    const external: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) {
        return;
      }
      seen.add(file);
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        const spec = m[1];
        if (spec.startsWith('.')) {
          visit(path.resolve(path.dirname(file), `${spec.replace(/\/index$/, '/index')}.ts`));
        } else {
          external.push(`${path.basename(file)} -> ${spec}`);
        }
      }
    };
    visit(path.join(__dirname, 'browser.ts'));
    expect(external).toEqual([]);
    expect(seen.size).toBeGreaterThan(20);
  });

  it('map package.json exports to the built files', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.exports['.'].node.default).toBe('./dist/index.js');
    expect(pkg.exports['.'].default.default).toBe('./dist/browser.js');
    expect(pkg.exports['./node'].default).toBe('./dist/index.js');
    expect(pkg.exports['./notebook'].default).toBe('./dist/notebook/index.js');
  });
});
