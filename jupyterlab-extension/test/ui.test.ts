/**
 * Runs the galata UI tests (ui-tests/): a real JupyterLab with the extension against a real
 * PrimeHub Local in headless Debian Chromium. They save the README's screenshots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHROMIUM, freePort } from '../../scripts/machine.cjs';
import { repoRoot, requires } from '../../shared-client/src/testing/paths';

/** What a reader of a failed run needs, shortest first: the summary, then each failure's first lines. */
function failures(output: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const start = lines.findIndex(l => /^\s+1\) /.test(l));
  const summary = lines.filter(l => /^\s+\d+ (passed|failed|flaky|skipped|did not run)/.test(l)).join('\n');
  if (start < 0) {
    return `${summary}\n${output.slice(-6000)}`;
  }
  const sections: string[][] = [];
  for (const line of lines.slice(start)) {
    if (/^\s+\d+\) /.test(line) || /^\s+Retry #\d+ /.test(line) || sections.length === 0) {
      sections.push([line]);
    } else if (/^\s+\d+ (passed|failed|flaky|skipped|did not run)/.test(line)) {
      break;
    } else {
      sections[sections.length - 1].push(line);
    }
  }
  const shown = sections.map(s =>
    s
      .filter(l => l.trim() && !/^\s+(at |Call log:|- )/.test(l))
      .slice(0, 14)
      .join('\n')
  );
  return `${summary}\n\n${shown.join('\n\n')}`.slice(0, 12_000);
}

/** Playwright refuses to run when it sees Jest's worker variables. */
function playwrightEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_')));
}

/**
 * PHJL_UI_SPECS (e.g. `deployments.spec.ts models.spec.ts`, space- or comma-separated) runs only
 * those spec files: Playwright's file filters. Unset, every spec runs.
 */
function specFilter(): string[] {
  return (process.env.PHJL_UI_SPECS ?? '').split(/[\s,]+/).filter(Boolean);
}

it('galata: sign-in, submit, sweep, cancel, failure, rerun, recurring, expired token, models, deployments, SSH', async () => {
  const root = repoRoot();
  requires(existsSync(CHROMIUM), "Debian's chromium");
  requires(existsSync(join(root, '.venv', 'bin', 'jupyter')), 'the project virtualenv .venv with JupyterLab');
  const cli = join(root, 'node_modules', 'playwright', 'cli.js');
  requires(existsSync(cli), '@playwright/test (npm install)');
  const res = spawnSync(
    process.execPath,
    [cli, 'test', '-c', join(root, 'jupyterlab-extension', 'ui-tests', 'playwright.config.ts'), ...specFilter()],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...playwrightEnv(), PHJL_UI_PORT: String(await freePort()), FORCE_COLOR: '0', NO_COLOR: '1', CI: '1' },
      // an upper bound for the whole galata run beside another jest worker on a busy machine, not a wait
      timeout: 1_500_000
    }
  );
  const output = `${res.stdout}${res.stderr}`;
  const log = join(root, 'test-results', 'jupyterlab-ui.log');
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, output);
  if (res.status !== 0) {
    throw new Error(`galata tests failed (${res.status ?? res.signal}; full output in ${log}):\n${failures(output)}`);
  }
  expect(output).toMatch(/\d+ passed/);
  // Playwright's summary lines only: the servers' own log lines in the output may hold "<id ending in digits> failed"
  expect(output).not.toMatch(/^\s*\d+ (failed|flaky|skipped|did not run)\b/m);
}, 1_520_000);
