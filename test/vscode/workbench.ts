import type { Page } from 'playwright-core';

/** Drives the VS Code workbench in code-server the way a user does: command palette, inputs, views. */
export class Workbench {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.statusbar').waitFor({ timeout: 60_000 });
  }

  /** F1, the command's title, Enter. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.quickInput();
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
  }

  quickInput() {
    return this.page.locator('.quick-input-widget .quick-input-box input');
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

  /** Waits for a notification toast containing `text`. */
  notification(text: string | RegExp) {
    return this.page.locator('.notification-toast', { hasText: text }).first();
  }

  /**
   * Waits until a notification containing `text` was shown: as a toast, or (VS Code hides info
   * toasts after a while, sooner on a busy machine) in the notifications center.
   */
  async expectNotification(text: string | RegExp, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    let nextCenterCheck = Date.now() + 5_000;
    for (;;) {
      if (await this.notification(text).isVisible()) {
        return;
      }
      const last = Date.now() >= deadline;
      if (
        (last || Date.now() >= nextCenterCheck) &&
        // a busy workbench may miss the palette once: then only the toast counts this round
        (await this.inNotificationsCenter(text).catch(() => false))
      ) {
        return;
      }
      if (last) {
        throw new Error(
          `no notification matching ${String(text)} within ${timeout} ms (toasts or notifications center)`
        );
      }
      if (Date.now() >= nextCenterCheck) {
        nextCenterCheck = Date.now() + 10_000;
      }
      await this.page.waitForTimeout(250);
    }
  }

  /** Whether the notifications center lists a notification containing `text` (opens and closes it). */
  private async inNotificationsCenter(text: string | RegExp): Promise<boolean> {
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center');
    await center.waitFor({ timeout: 10_000 });
    const found = await center
      .locator('.notification-list-item', { hasText: text })
      .first()
      .waitFor({ timeout: 1_000 })
      .then(
        () => true,
        () => false
      );
    await this.runCommand('Notifications: Hide Notifications');
    await center.waitFor({ state: 'hidden', timeout: 10_000 });
    return found;
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

  /** A visible row of a tree or list. */
  treeRow(text: string | RegExp) {
    return this.page.locator('.monaco-list-row', { hasText: text }).filter({ visible: true }).first();
  }

  /** Opens a workspace file with Quick Open. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor();
    await this.quickInput().fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab', { hasText: name }).first().waitFor();
    if (name.endsWith('.ipynb')) {
      await this.page.locator('.notebook-editor .cell-list-container .code-cell-row').first().waitFor();
    }
    await this.page.waitForTimeout(500);
  }

  /** Right-clicks a file in the Explorer and picks a context-menu entry. */
  async explorerContextMenu(file: string, entry: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+Shift+E');
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
    await row.waitFor();
    await this.page.waitForTimeout(500);
    await row.click();
    await row.click({ button: 'right' });
    const item = this.page.locator('.monaco-menu .action-item', { hasText: entry }).first();
    await item.waitFor();
    // VS Code's menus act on the highlighted entry
    await item.hover();
    await this.page.keyboard.press('Enter');
    await item.waitFor({ state: 'hidden' });
  }

  async screenshot(path: string): Promise<void> {
    await this.page.waitForTimeout(300);
    await this.page.screenshot({ path });
  }
}
