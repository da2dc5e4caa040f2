#!/usr/bin/env node
// A stand-in for the VS Code executable that @vscode/test-electron's runTests starts: it takes the
// same command line (--extensionDevelopmentPath, --extensionTestsPath, --user-data-dir,
// --extensions-dir, a folder), runs the VS Code inside code-server in headless Chromium, and
// exits with the test result. code-server ignores the two extension flags, so they go into the
// workbench URL's `payload`; the workbench then starts the Node extension host in test mode and
// reports through codeAutomationLog/codeAutomationExit, which the page calls and we provide.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import host from './codeServer.cjs';

const { launchChromium, startCodeServer } = host;

const TIMEOUT_MS = Number(process.env.PRIMEHUB_VSCODE_TEST_TIMEOUT_MS ?? 300_000);

function parseArgs(argv) {
  const opts = { dev: [], folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      opts.folder = resolve(a);
      continue;
    }
    const [, key, inline] = m;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'].includes(
      key
    );
    const value = inline ?? (takesValue ? argv[++i] : undefined);
    if (key === 'extensionDevelopmentPath') {
      opts.dev.push(resolve(value));
    } else if (key === 'extensionTestsPath') {
      opts.tests = resolve(value);
    } else if (key === 'user-data-dir') {
      opts.userDataDir = resolve(value);
    } else if (key === 'extensions-dir') {
      opts.extensionsDir = resolve(value);
    }
    // other desktop flags (--no-sandbox, --disable-updates, …) mean nothing to code-server
  }
  return opts;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const MARKER = '\u0000primehub-test-host:';

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.tests || opts.dev.length === 0) {
    throw new Error('usage: vscodeTestHost --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]');
  }
  const scratch = mkdtempSync(join(tmpdir(), 'vscode-test-host-'));
  const userDataDir = opts.userDataDir ?? join(scratch, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(scratch, 'extensions');
  const server = await startCodeServer({ userDataDir, extensionsDir });
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    if (process.env.PRIMEHUB_VSCODE_TEST_DEBUG) {
      page.on('pageerror', e => process.stderr.write(`[page error] ${e.message}\n`));
    }
    // The workbench reports through window.codeAutomationLog/codeAutomationExit. Playwright's
    // exposeFunction bindings break in the workbench's sandboxed iframes here, so the page-side
    // functions forward to the console with a marker, which we read back.
    await page.addInitScript(marker => {
      const w = globalThis;
      w.codeAutomationLog = (level, args) => console.debug(marker + JSON.stringify({ level, args }));
      w.codeAutomationExit = code => console.debug(marker + JSON.stringify({ exit: code }));
    }, MARKER);
    const result = new Promise(resolveExit => {
      page.on('console', msg => {
        const text = msg.text();
        if (!text.startsWith(MARKER)) {
          if (process.env.PRIMEHUB_VSCODE_TEST_DEBUG) {
            process.stderr.write(`[page ${msg.type()}] ${text}\n`);
          }
          return;
        }
        const event = JSON.parse(text.slice(MARKER.length));
        if ('exit' in event) {
          resolveExit(Number(event.exit));
          return;
        }
        const args = Array.isArray(event.args) ? event.args : [event.args];
        const line = typeof args[0] === 'string' ? format(...args) : args.map(a => JSON.stringify(a)).join(' ');
        (LEVELS[event.level] === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
      });
    });
    const remote = p => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ...opts.dev.map(d => ['extensionDevelopmentPath', remote(d)]),
      ['extensionTestsPath', remote(opts.tests)]
    ];
    const query = new URLSearchParams({ payload: JSON.stringify(payload) });
    if (opts.folder) {
      query.set('folder', opts.folder);
    }
    await page.goto(`${server.url}/?${query}`);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no test result within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : e}\ncode-server output:\n${server.output()}\n`);
    return 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  code => process.exit(code),
  e => {
    process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  }
);
