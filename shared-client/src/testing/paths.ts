import * as fs from 'node:fs';
import * as path from 'node:path';

/** The monorepo root: the nearest ancestor whose package.json declares workspaces. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { workspaces?: unknown };
      if (json.workspaces) {
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no workspace root above ${from}`);
    }
    dir = parent;
  }
}

/** The real PrimeHub schema, the repository's copy in contract/. */
export function schemaPath(): string {
  return path.join(repoRoot(), 'contract', 'primehub-schema.graphql');
}

/** The project's virtualenv Python (papermill's own PyYAML), which the bootstrap creates. */
export function venvPython(): string {
  return path.join(repoRoot(), '.venv', 'bin', 'python');
}

/** Fails a test that needs something this machine lacks, saying what (never a silent pass). */
export function requires(available: boolean, what: string): void {
  if (!available) {
    throw new Error(`this test needs ${what}, which is missing here (npm test's bootstrap installs it)`);
  }
}
