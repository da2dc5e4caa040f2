/**
 * What the MLflow suites (Models, Compare Runs, Deployments) start from: a real PrimeHub Local with its
 * MLflow, a client of it, a workspace folder, and the packaged VSIX in code-server open on that folder
 * in headless Chromium; closed and removed after the suite.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeHubClient, type Job } from '@primehub-suite/client';
import type { Locator, Page } from 'playwright-core';
import { LocalServerProcess, REPO_ROOT } from '../kit/localServer';
import { MLFLOW_START_MS, mlflowRunning } from '../kit/mlflow';
import { ensureExtensionBuilt } from './extensionBuild';
import type { Workbench } from './workbench';
import { closeAfterAll, openWorkbench, screenshotAfterEach, type WorkbenchSession } from './workbenchSession';

// Each run's screenshots land in the git-ignored test-results/; UPDATE_SCREENSHOTS=1 refreshes the
// README's committed ones in test/vscode/screenshots instead.
export const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, 'screenshots')
  : join(REPO_ROOT, 'test-results', 'screenshots', 'vscode');

/** A suite's PrimeHub Local, client, workspace and workbench, once its `beforeAll` has run. */
export interface MlflowWorkbench {
  server: LocalServerProcess;
  client: PrimeHubClient;
  /** The workspace folder code-server opens. */
  workspace: string;
  session: WorkbenchSession;
  page: Page;
  wb: Workbench;
}

/** What a suite does around the workbench's start. */
export interface MlflowWorkbenchOptions {
  /** Names the scratch folder, the kept VS Code logs and the after-each screenshots. */
  name: string;
  /** The page may read and write the clipboard (Copy… commands). */
  clipboard?: boolean;
  /**
   * Once MLflow answers, before the workbench starts: files into the workspace, jobs submitted (they
   * run while the workbench starts).
   */
  beforeWorkbench?(setup: Pick<MlflowWorkbench, 'server' | 'client' | 'workspace'>): Promise<void>;
  /** How long all of `beforeAll` may take besides MLflow's start. */
  timeoutMs: number;
}

/**
 * Registers the suite's `beforeAll` (PrimeHub Local with MLflow, the workbench), a screenshot after
 * each test, and the `afterAll` that closes and removes it all; returns what `beforeAll` made (call it
 * from the suite's own `beforeAll` or tests).
 */
export function useMlflowWorkbench(opts: MlflowWorkbenchOptions): () => MlflowWorkbench {
  let made: MlflowWorkbench | undefined;
  let server: LocalServerProcess | undefined;
  let client: PrimeHubClient | undefined;
  let session: WorkbenchSession | undefined;
  let scratch: string | undefined;

  beforeAll(async () => {
    ensureExtensionBuilt();
    server = await LocalServerProcess.start({ mlflow: true });
    client = new PrimeHubClient({ endpoint: server.endpoint, token: server.token, group: server.groupName });
    scratch = mkdtempSync(join(tmpdir(), `primehub-vscode-${opts.name}-`));
    const workspace = join(scratch, 'project');
    mkdirSync(workspace, { recursive: true });
    await mlflowRunning(server);
    await opts.beforeWorkbench?.({ server, client, workspace });
    session = await openWorkbench({
      keepLogsIn: join(REPO_ROOT, 'test-results', 'vscode-logs', opts.name),
      scratch,
      workspace,
      settings: {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'remote.autoForwardPorts': false
      }
    });
    if (opts.clipboard) {
      await session.page
        .context()
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.codeServer.url });
    }
    made = { server, client, workspace, session, page: session.page, wb: session.wb };
  }, MLFLOW_START_MS + opts.timeoutMs);

  screenshotAfterEach(`primehub-${opts.name}`, () => session);

  closeAfterAll(() => ({ session, client, server, scratch }));

  return () => {
    if (!made) {
      throw new Error(`the ${opts.name} suite's PrimeHub Local and workbench did not start`);
    }
    return made;
  };
}

/** Submits a job of `command` on the group's first instance type and image. */
export async function submitJob(client: PrimeHubClient, displayName: string, command: string): Promise<Job> {
  const [it] = await client.groups.instanceTypes();
  const [image] = await client.groups.images();
  return client.jobs.submit({ displayName, instanceType: it.name, image: image.name, command });
}

/** Signs in with the palette's Sign In (URL, then token) and waits for the status bar to name the group. */
export async function signIn({ wb, page, server }: MlflowWorkbench): Promise<void> {
  await wb.runCommand('PrimeHub: Sign In');
  await wb.answer('PrimeHub URL', server.baseUrl);
  await wb.answer('API token', server.token);
  await page
    .locator('.statusbar-item', { hasText: `PrimeHub Local: ${server.groupName}` })
    .waitFor({ timeout: 60_000 });
}

/** A succeeded job's row in the Jobs view (shown, refreshed, its group expanded). */
export async function succeededJobRow(wb: Workbench, displayName: string): Promise<Locator> {
  await wb.showView('Jobs');
  await wb.runCommand('PrimeHub: Refresh Jobs');
  const row = wb.treeRow(displayName);
  await wb.treeRow('Succeeded').waitFor({ timeout: 30_000 });
  if (!(await row.isVisible())) {
    await wb.treeRow('Succeeded').click();
  }
  await row.waitFor({ timeout: 30_000 });
  return row;
}
