/** Page object of the PrimeHub extension for the galata tests, plus notebook fixtures on disk. */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, type Locator } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const env = {
  get group(): string {
    return process.env.PHJL_UI_GROUP!;
  },
  get volume(): string {
    return process.env.PHJL_UI_VOLUME!;
  },
  get token(): string {
    return process.env.PHJL_UI_TOKEN!;
  },
  get groupId(): string {
    return process.env.PHJL_UI_GROUP_ID!;
  }
};

/**
 * Where the UI tests save screenshots: the git-ignored test-results/ of the repository, or with
 * UPDATE_SCREENSHOTS=1 the README's committed ones in ui-tests/screenshots.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', 'screenshots')
  : join(__dirname, '..', '..', '..', 'test-results', 'screenshots', 'jupyterlab');

/** A new API token from PrimeHub Local's CLI. */
export function newToken(expiresInSeconds?: number, user = 'phuser'): string {
  const args = [process.env.PHJL_UI_CLI!, 'token', '--user', user, '--data-dir', process.env.PHJL_UI_DATA_DIR!];
  if (expiresInSeconds) {
    args.push('--expires-in', String(expiresInSeconds));
  }
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`primehub-local token failed: ${res.stderr}`);
  }
  return res.stdout.trim().split('\n').pop()!.trim();
}

/** Whether PrimeHub Local still accepts `token` (an expired one is refused). */
export async function tokenAccepted(token: string): Promise<boolean> {
  const { endpoint } = JSON.parse(readFileSync(process.env.PHJL_UI_CONFIG!, 'utf8')) as { endpoint: string };
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { username } }' })
  });
  const body = (await res.json().catch(() => ({}))) as { data?: { me?: unknown }; errors?: unknown[] };
  return res.ok && !body.errors?.length && Boolean(body.data?.me);
}

/** How many jobs a group has on PrimeHub Local, counted from its numbered pages (10 a page). */
export async function jobTotal(groupId: string): Promise<number> {
  const { endpoint } = JSON.parse(readFileSync(process.env.PHJL_UI_CONFIG!, 'utf8')) as { endpoint: string };
  const page = async (n: number): Promise<{ totalPage: number; count: number }> => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.token}` },
      body: JSON.stringify({
        query:
          'query($w: PhJobWhereInput, $p: Int) { phJobsConnection(where: $w, page: $p) { pageInfo { totalPage } edges { node { id } } } }',
        variables: { w: { groupId_in: [groupId] }, p: n }
      })
    });
    const c = (
      (await res.json()) as { data: { phJobsConnection: { pageInfo: { totalPage: number }; edges: unknown[] } } }
    ).data.phJobsConnection;
    return { totalPage: c.pageInfo.totalPage, count: c.edges.length };
  };
  const first = await page(1);
  return first.totalPage <= 1 ? first.count : (first.totalPage - 1) * 10 + (await page(first.totalPage)).count;
}

/** Runs PrimeHub Local's CLI on the test server's data directory; returns what it printed. */
export function localCli(...args: string[]): string {
  const res = spawnSync(
    process.execPath,
    [process.env.PHJL_UI_CLI!, ...args, '--data-dir', process.env.PHJL_UI_DATA_DIR!],
    {
      encoding: 'utf8'
    }
  );
  if (res.status !== 0) {
    throw new Error(`primehub-local ${args.join(' ')} failed: ${res.stderr}`);
  }
  return res.stdout.trim();
}

/** Writes a notebook into the group volume; returns its server path (`<group>/<name>`). */
export function writeNotebook(name: string, cells: Array<{ source: string; tags?: string[] }>): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: c.tags ? { tags: c.tags } : {},
      outputs: [],
      source: c.source
    }))
  };
  const folder = join(env.volume, 'ui');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), JSON.stringify(nb, null, 1));
  return `${env.group}/ui/${name}`;
}

/** Writes a notebook at the server root, outside the group volume; returns its server path. */
export function writeHomeNotebook(name: string, source: string): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: 'c0', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }]
  };
  writeFileSync(join(process.env.PHJL_UI_HOME!, name), JSON.stringify(nb));
  return name;
}

/** Output notebooks papermill wrote beside `name` (newest last). */
export function outputNotebooks(name: string): string[] {
  const stem = name.replace(/\.ipynb$/, '');
  return readdirSync(join(env.volume, 'ui'))
    .filter(f => f.startsWith(`${stem}-`) && f.includes('-output') && f.endsWith('.ipynb'))
    .sort()
    .map(f => join(env.volume, 'ui', f));
}

/** The text printed by the executed cells of an output notebook. */
export function printedText(file: string): string {
  const nb = JSON.parse(readFileSync(file, 'utf8'));
  return nb.cells
    .flatMap((c: { outputs?: Array<{ text?: string | string[] }> }) => c.outputs ?? [])
    .map((o: { text?: string | string[] }) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');
}

/** The part of a document context the helper reads in the page. */
interface INotebookContext {
  path: string;
  model: { dirty: boolean; getMetadata(key: string): unknown };
  sessionContext: { session: { kernel: { status: string } | null } | null };
  save(): Promise<void>;
}

/** What openNotebook waits on. */
interface INotebookState {
  language: boolean;
  kernel: string;
  dirty: boolean;
  saveError?: string;
}

export class PrimeHubHelper {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get panel(): Locator {
    return this.page.locator('#primehub-suite-panel');
  }

  get dialog(): Locator {
    return this.page.locator('.jp-primehub-Modal');
  }

  async openPanel(): Promise<void> {
    await this.page.sidebar.openTab('primehub-suite-panel');
    await expect(this.panel).toBeVisible();
  }

  async signIn(token = env.token): Promise<void> {
    await this.openPanel();
    const box = this.panel.getByLabel('API token');
    if (await box.isVisible().catch(() => false)) {
      await box.fill(token);
      await this.panel.getByRole('button', { name: 'Connect' }).click();
    }
    await expect(this.panel.getByRole('tab', { name: 'Jobs', exact: true })).toBeVisible();
  }

  /** Signs out and waits for the sign-in form (signing in again before it shows would race it). */
  async signOut(): Promise<void> {
    await this.panel.getByRole('button', { name: 'Sign out' }).click();
    const confirm = this.page.locator('.jp-Dialog', { hasText: 'Sign out of PrimeHub?' });
    await confirm.getByRole('button', { name: 'Sign out' }).click();
    await expect(this.panel.getByLabel('API token')).toBeVisible();
  }

  /** Signs out when the panel shows a connection, waiting for either state to settle first. */
  async signOutIfSignedIn(): Promise<void> {
    const form = this.panel.getByLabel('API token');
    const signOut = this.panel.getByRole('button', { name: 'Sign out' });
    await expect(form.or(signOut)).toBeVisible();
    if (await signOut.isVisible()) {
      await this.signOut();
    }
  }

  /**
   * The state of the open notebook at `path` (null while it is not open): whether its kernel has
   * reported its language yet, the kernel's status, whether it has unsaved changes, and why the
   * last save this helper started failed, if it did. With `save`, a dirty notebook is also saved.
   */
  private notebookState(path: string, save = false): Promise<INotebookState | null> {
    return this.page.evaluate(
      ([p, save]) => {
        for (const w of window.jupyterapp.shell.widgets('main')) {
          const ctx = (w as unknown as { context?: INotebookContext }).context;
          if (ctx?.path === p) {
            const failed = (ctx as { phSaveError?: string }).phSaveError;
            if (save && ctx.model.dirty) {
              void ctx.save().then(
                () => delete (ctx as { phSaveError?: string }).phSaveError,
                (e: unknown) => ((ctx as { phSaveError?: string }).phSaveError = String(e))
              );
            }
            return {
              language: ctx.model.getMetadata('language_info') !== undefined,
              kernel: ctx.sessionContext.session?.kernel?.status ?? 'none',
              dirty: ctx.model.dirty,
              ...(failed ? { saveError: failed } : {})
            };
          }
        }
        return null;
      },
      [path, save] as const
    );
  }

  /**
   * Shows a folder in the file browser, as its path typed into "Go to path" would: the folder is
   * listed anew. (Walking there by double clicks, as galata's openDirectory does, waits without end
   * for a name in a listing made before the folder existed, and a busy browser may take a double
   * click for two clicks.)
   */
  async showFolder(path: string): Promise<void> {
    await this.page.evaluate(p => void window.jupyterapp.commands.execute('filebrowser:go-to-path', { path: p }), path);
    await expect.poll(() => this.page.filebrowser.getCurrentDirectory(), { timeout: 60_000 }).toBe(path);
  }

  /**
   * Opens the notebook and waits until it is settled: its kernel has started (idle) and reported
   * its language, which JupyterLab writes into the notebook's metadata, and that change is saved.
   * Before, the notebook turns dirty at a moment only the kernel decides, and a submission then
   * asks "Save before submitting?" instead of showing the form.
   */
  async openNotebook(path: string): Promise<void> {
    // Not awaited in the page: JupyterLab may still reload right after start-up (then it reopens the
    // notebook from its /lab/tree/ URL), which would destroy an awaiting evaluate.
    await this.page.evaluate(p => void window.jupyterapp.commands.execute('docmanager:open', { path: p }), path);
    const name = path.split('/').pop()!;
    await expect(this.page.locator('.jp-mod-current .lm-TabBar-tabLabel', { hasText: name }).first()).toBeVisible();
    // A kernel starts slowly on a loaded machine: wait for it as long as for a job's phase.
    await expect
      .poll(
        async () => {
          const state = await this.notebookState(path);
          // Saved only once the kernel has said all it changes in the metadata.
          return state?.language && state.kernel === 'idle' ? this.notebookState(path, true) : state;
        },
        { timeout: 120_000 }
      )
      .toEqual({ language: true, kernel: 'idle', dirty: false });
  }

  /** Opens the notebook and its "Submit as job" dialog from the notebook toolbar. */
  async openSubmitDialog(path: string): Promise<Locator> {
    await this.openNotebook(path);
    const button = this.page.locator('.jp-NotebookPanel:visible [data-jp-item-name="primehub-submit"]');
    await button.click();
    await expect(this.dialog).toBeVisible();
    // Instance types and images come from PrimeHub: wait until they are listed.
    await expect(this.dialog.locator('#ph-instance-type option')).not.toHaveCount(1);
    return this.dialog;
  }

  param(name: string): Locator {
    return this.dialog.locator(`[data-param="${name}"] #ph-param-${name}`);
  }

  /** JupyterLab's confirmation dialog with `title`, answered with the button `label`. */
  async answer(title: string, label: string): Promise<void> {
    const dialog = this.page.locator('.jp-Dialog', { hasText: title });
    await dialog.getByRole('button', { name: label, exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  async submit(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Submit' }).click();
    await expect(this.dialog).toBeHidden({ timeout: 60_000 });
  }

  /** The job tab that opens after a submission. */
  get jobTab(): Locator {
    return this.page.locator('.jp-primehub-JobDetail:visible');
  }

  async expectPhase(phase: string, timeout = 120_000): Promise<void> {
    await expect(this.jobTab.locator('td[data-field="Status"]')).toHaveText(phase, { timeout });
  }

  async jobId(): Promise<string> {
    return (await this.jobTab.locator('td[data-field="Job ID"]').textContent())!.trim();
  }

  jobRow(id: string): Locator {
    return this.panel.locator(`.jp-primehub-JobRow[data-job-id="${id}"]`);
  }
}
