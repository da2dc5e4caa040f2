import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../kit/localServer';

/** Tracked files as git lists them: `<mode> <path>`. */
function trackedFiles(): { mode: string; path: string }[] {
  const res = spawnSync('git', ['ls-files', '-s'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`git ls-files failed: ${res.stderr}`);
  }
  return res.stdout
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [meta, path] = line.split('\t');
      return { mode: meta.split(' ')[0], path };
    });
}

describe('a clone of the repository stands alone', () => {
  test('no code, test or script reads anything beside the repository', () => {
    const outside = /\.\.\/shared\/|'\.\.',\s*'shared'|shared\/reference/;
    const offenders = trackedFiles()
      .map(f => f.path)
      .filter(p => /\.(ts|tsx|js|mjs|cjs|py|sh|json)$/.test(p) || p.startsWith('.ci/'))
      .filter(p => p !== 'test/contract/standalone.test.ts')
      .filter(p => outside.test(readFileSync(join(REPO_ROOT, p), 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('the real PrimeHub schema is kept in the repository', () => {
    const schema = join(REPO_ROOT, 'contract', 'primehub-schema.graphql');
    expect(trackedFiles().some(f => f.path === 'contract/primehub-schema.graphql')).toBe(true);
    expect(readFileSync(schema, 'utf8')).toMatch(/type Query \{/);
  });

  test('`npx primehub-local` works after the bootstrap: its bin is committed and executable', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'local-server', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const bin = `packages/local-server/${pkg.bin['primehub-local']}`;
    const entry = trackedFiles().find(f => f.path === bin);
    // npm links a workspace's bin at install time only when the file exists then, so it must
    // be a committed file (with its run bit), not build output.
    expect(entry?.mode).toBe('100755');
    expect(existsSync(join(REPO_ROOT, 'node_modules', '.bin', 'primehub-local'))).toBe(true);
    const res = spawnSync('npx', ['--no-install', 'primehub-local', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`).toMatch(/Usage: primehub-local <command>/);
    expect(res.status).toBe(0);
  });
});
