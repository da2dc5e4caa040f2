import type { Locator, Page } from 'playwright-core';

/** Drives the VS Code workbench in code-server the way a user does: command palette, inputs, views. */
/** The PrimeHub container's views, top to bottom. */
const PRIMEHUB_VIEWS = ['Jobs', 'Recurring Jobs', 'Files', 'Models', 'Deployments'];

export class Workbench {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.statusbar').waitFor({ timeout: 60_000 });
  }

  /** F1, the command's title, Enter once the palette has filtered down to that command. */
  async runCommand(title: string): Promise<void> {
    // The highlighted row, not any row: until a busy workbench has applied the filter, the palette
    // still lists recently used commands, and Enter would run the first of those. The palette reads
    // when-clauses as it opens, so a command whose context (the active editor's file) a busy workbench
    // has not set yet is missing until it is opened again.
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.quickInput();
      // a view or output channel taking focus as the palette opens closes it again: then it is reopened
      const shown = await input
        .fill(`>${title}`, { timeout: 5_000 })
        .then(() => row.waitFor({ timeout: 5_000 }))
        .then(() => true)
        .catch(() => false);
      if (shown) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`the command palette did not offer "${title}" within 60 s`);
      }
    }
    await this.page.keyboard.press('Enter');
  }

  quickInput() {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** The open QuickPick or input box once it shows `text` (its title, placeholder, items or message). */
  quickInputShowing(text: string | RegExp) {
    return this.page.locator('.quick-input-widget').filter({ hasText: text });
  }

  /** A row of the open QuickPick. */
  pickRow(text: string | RegExp) {
    return this.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  }

  /** Waits for an input box whose title or prompt contains `text`, fills it and accepts. */
  async answer(text: string | RegExp, value: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.filter({ hasText: text }).waitFor({ timeout: 30_000 });
    const input = this.quickInput();
    await input.fill(value);
    await this.page.keyboard.press('Enter');
  }

  /** Waits for a QuickPick showing `text`, then accepts the highlighted (first) item. */
  async acceptPick(text: string | RegExp): Promise<void> {
    await this.page.locator('.quick-input-widget').filter({ hasText: text }).waitFor({ timeout: 30_000 });
    await this.page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** A notification toast containing `text` (VS Code hides toasts: see expectNotification). */
  notification(text: string | RegExp) {
    return this.page.locator('.notification-toast', { hasText: text }).first();
  }

  /**
   * Waits until a notification containing `text` has been shown, in the notifications center:
   * unlike a toast, which VS Code hides after a while (or on Escape), the center keeps it, and
   * while the center is open new notifications are listed there.
   */
  async expectNotification(text: string | RegExp, timeout = 30_000): Promise<void> {
    const center = this.page.locator('.notifications-center');
    const item = center.locator('.notification-list-item', { hasText: text }).first();
    // A busy workbench may let the palette's Enter go before it runs the command, and a flow's last
    // input box closing may close the center again (its list then leaves the page): the center is
    // opened whenever it is not, until the notification is listed.
    const deadline = Date.now() + timeout + 30_000;
    for (;;) {
      if (!(await center.isVisible())) {
        await this.runCommand('Notifications: Show Notifications');
        await center.waitFor({ timeout: 10_000 }).catch(() => undefined);
      }
      const listed = await item
        .waitFor({ timeout: 2_000 })
        .then(() => true)
        .catch(() => false);
      if (listed) {
        break;
      }
      if (Date.now() > deadline) {
        const shown = await center.locator('.notification-list-item').allInnerTexts();
        const toasts = await this.page.locator('.notification-toast').allInnerTexts();
        throw new Error(
          `no notification matching ${String(text)} within ${timeout} ms; center ` +
            `${(await center.isVisible()) ? 'open' : 'closed'}, listing ${JSON.stringify(shown)}; toasts ${JSON.stringify(toasts)}`
        );
      }
    }
    // Escape closes the center ("Notifications: Hide Notifications" is offered only while it has focus).
    await this.page.keyboard.press('Escape');
    await center.waitFor({ state: 'hidden', timeout: 30_000 });
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Opens the PrimeHub container in the activity bar. */
  async openPrimeHub(): Promise<void> {
    const jobs = this.page.locator('.pane-header', { hasText: 'Jobs' }).first();
    // clicking the activity bar item of the open container would close the side bar
    if (!(await jobs.isVisible())) {
      const tab = this.page.locator('.activitybar [aria-label^="PrimeHub"]').first();
      await tab.waitFor();
      await tab.click();
    }
    await jobs.waitFor();
  }

  /**
   * Expands one PrimeHub view and collapses the others, so that its rows have the side bar's
   * height: a tree renders only the rows inside its pane.
   */
  async showView(view: string): Promise<void> {
    await this.openPrimeHub();
    for (const name of PRIMEHUB_VIEWS) {
      await this.setExpanded(name, name === view);
    }
  }

  /** Expands or collapses one PrimeHub view, leaving the others as they are. */
  async setExpanded(view: string, expanded: boolean): Promise<void> {
    const title = this.page.locator('h3.title', { hasText: new RegExp(`^${view}$`, 'i') });
    const header = this.page.locator('.pane-header', { has: title }).filter({ visible: true }).first();
    const wanted = String(expanded);
    // a click toggles, so it is made only when the view is not already as wanted
    if ((await header.getAttribute('aria-expanded')) !== wanted) {
      await header.click();
    }
    await this.page.locator(`.pane-header[aria-expanded="${wanted}"]`, { has: title }).first().waitFor();
  }

  /** A visible row of a tree or list. */
  treeRow(text: string | RegExp) {
    return this.page.locator('.monaco-list-row', { hasText: text }).filter({ visible: true }).first();
  }

  /** Right-clicks a visible row (of a view's tree) and runs a context-menu entry. */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    await row.click({ button: 'right' });
    const item = this.page.locator('.monaco-menu .action-item', { hasText: entry }).first();
    await item.waitFor();
    // VS Code's menus act on the highlighted entry
    await item.hover();
    await this.page.keyboard.press('Enter');
    await item.waitFor({ state: 'hidden' });
  }

  /**
   * Runs a context-menu entry of a row until `shown` appears: an entry chosen while the view re-reads
   * its rows (a refresh landing) can reach the command without its row, and then nothing happens.
   */
  async contextMenuUntil(row: Locator, entry: string, shown: Locator, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      await this.contextMenu(row, entry);
      const appeared = await shown
        .waitFor({ timeout: Math.max(1_000, Math.min(10_000, deadline - Date.now())) })
        .then(() => true)
        .catch(() => false);
      if (appeared) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`"${entry}" showed nothing within ${timeout} ms`);
      }
    }
  }

  /** Opens a workspace file with Quick Open. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor();
    await this.quickInput().fill(name);
    // the highlighted row (as in runCommand: before the filter applies, recent files are listed)
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor();
    await this.page.keyboard.press('Enter');
    // the active tab: commands on "the current file" act on the active editor
    await this.page.locator('.tab.active', { hasText: name }).first().waitFor();
    if (name.endsWith('.ipynb')) {
      await this.page.locator('.notebook-editor .cell-list-container .code-cell-row').first().waitFor();
    }
  }

  /** Right-clicks a file in the Explorer and picks a context-menu entry. */
  async explorerContextMenu(file: string, entry: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+Shift+E');
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
    await row.waitFor();
    // selected: the context menu acts on the Explorer's selection (a click that lands while the
    // Explorer re-renders its rows, e.g. for a file just written, selects nothing: click again)
    const selected = this.page.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: file }).first();
    for (let attempt = 1; ; attempt++) {
      await row.click();
      try {
        await selected.waitFor({ timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt === 5) {
          throw e;
        }
      }
    }
    await row.click({ button: 'right' });
    const item = this.page.locator('.monaco-menu .action-item', { hasText: entry }).first();
    await item.waitFor();
    // VS Code's menus act on the highlighted entry
    await item.hover();
    await this.page.keyboard.press('Enter');
    await item.waitFor({ state: 'hidden' });
  }

  /** A screenshot once the workbench has painted what the test last did (two animation frames). */
  async screenshot(path: string): Promise<void> {
    await this.page.evaluate(
      () => new Promise<void>(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
    );
    await this.page.screenshot({ path });
  }
}
