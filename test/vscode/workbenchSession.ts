import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { VSIX } from './extensionBuild';
import { Workbench } from './workbench';

import * as host from './codeServer.cjs';

/** A code-server with the packaged extension, open in headless Chromium on a workspace folder. */
export interface WorkbenchSession {
  codeServer: host.CodeServer;
  browser: Browser;
  page: Page;
  wb: Workbench;
  /** Closes the browser, then stops code-server. */
  close(): Promise<void>;
}

/** What a session starts with. */
export interface WorkbenchOptions {
  /** Holds the user data and extensions folders; it is the HOME of code-server (no ~/.primehub). */
  scratch: string;
  /** The folder the workbench opens. */
  workspace: string;
  /** More extensions to install beside the PrimeHub extension. */
  extraVsixes?: string[];
  /** User settings written before code-server starts. */
  settings?: Record<string, unknown>;
  /**
   * Where close() keeps VS Code's logs (the PrimeHub output channel among them) for reading a
   * failure after the scratch folder is gone.
   */
  keepLogsIn?: string;
}

/** Installs the extension (and any others), starts code-server and opens its workbench. */
export async function openWorkbench(opts: WorkbenchOptions): Promise<WorkbenchSession> {
  const dirs = { userDataDir: join(opts.scratch, 'user-data'), extensionsDir: join(opts.scratch, 'extensions') };
  if (opts.settings) {
    mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(opts.settings));
  }
  for (const vsix of [VSIX, ...(opts.extraVsixes ?? [])]) {
    await host.installExtension(vsix, dirs);
  }
  const codeServer = await host.startCodeServer({ ...dirs, folder: opts.workspace, env: { HOME: opts.scratch } });
  const browser = await host.launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const wb = new Workbench(page);
  await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(opts.workspace)}`);
  await wb.ready();
  return {
    codeServer,
    browser,
    page,
    wb,
    close: async () => {
      await browser.close();
      await codeServer.stop();
      const logs = join(dirs.userDataDir, 'logs');
      if (opts.keepLogsIn && existsSync(logs)) {
        rmSync(opts.keepLogsIn, { recursive: true, force: true });
        cpSync(logs, opts.keepLogsIn, { recursive: true });
      }
    }
  };
}

/** After each test, what the page showed then, in the temp folder: for diagnosing failures. */
export function screenshotAfterEach(prefix: string, session: () => WorkbenchSession | undefined): void {
  afterEach(async () => {
    const name = expect
      .getState()
      .currentTestName?.replace(/[^a-z0-9]+/gi, '-')
      .slice(0, 60);
    await session()
      ?.page.screenshot({ path: join(tmpdir(), `${prefix}-${name}.png`) })
      .catch(() => undefined);
  });
}

/** What a suite made that `closeAfterAll` closes, any of it possibly not made. */
export interface SuiteParts {
  session?: WorkbenchSession;
  client?: { close(): Promise<void> };
  server?: { dispose(): Promise<void> };
  /** A folder removed last. */
  scratch?: string;
}

/** After the suite: the workbench closed first (it is a client), then the client, PrimeHub Local and the scratch. */
export function closeAfterAll(parts: () => SuiteParts): void {
  afterAll(async () => {
    const { session, client, server, scratch } = parts();
    await session?.close();
    await client?.close();
    await server?.dispose();
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
