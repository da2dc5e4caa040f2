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

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Opens the PrimeHub container in the activity bar. */
  async openPrimeHub(): Promise<void> {
    const tab = this.page.locator('.activitybar [aria-label^="PrimeHub"]').first();
    await tab.waitFor();
    const selected = await tab.getAttribute('aria-selected');
    if (selected !== 'true') {
      await tab.click();
    }
    await this.page.locator('.pane-header', { hasText: 'Jobs' }).first().waitFor();
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
