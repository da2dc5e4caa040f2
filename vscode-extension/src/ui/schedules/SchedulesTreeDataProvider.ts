import type { Schedule } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { isPaused, recurrenceLabel, scheduleContextValue } from '../../schedules/recurrence';
import type { SchedulesManager } from '../../schedules/SchedulesManager';

/**
 * A recurring job in the Recurring Jobs view. Commands from the view's menus get this instance;
 * they refuse a look-alike object (another extension's), see `CommandArgs`.
 */
export class ScheduleItemNode {
  readonly kind = 'schedule';
  constructor(readonly schedule: Schedule) {}
}

/** A message in place of the list (it could not be listed). */
export class ScheduleMessageNode {
  readonly kind = 'message';
  constructor(readonly text: string) {}
}

/** A node of the Recurring Jobs view. */
export type ScheduleNode = ScheduleItemNode | ScheduleMessageNode;

/** The group's recurring jobs with their recurrence and next run. */
export class SchedulesTreeDataProvider implements vscode.TreeDataProvider<ScheduleNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ScheduleNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly schedules: SchedulesManager) {
    this.subscription = schedules.model.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
  }

  getChildren(node?: ScheduleNode): ScheduleNode[] {
    if (node) {
      return [];
    }
    const model = this.schedules.model;
    if (model.error !== undefined && model.items.length === 0) {
      return [new ScheduleMessageNode(`Could not list recurring jobs: ${(model.error as Error).message}`)];
    }
    return model.items.map(schedule => new ScheduleItemNode(schedule));
  }

  getTreeItem(node: ScheduleNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    const s = node.schedule;
    const item = new vscode.TreeItem(s.displayName || s.id);
    item.id = `schedule:${s.id}`;
    const paused = isPaused(s);
    item.description = recurrenceLabel(s);
    item.iconPath = new vscode.ThemeIcon(s.invalid ? 'warning' : paused ? 'debug-pause' : 'history');
    item.contextValue = scheduleContextValue(s);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${s.displayName ?? s.id}** — ${recurrenceLabel(s)}\n\n`);
    if (s.nextRunTime && !paused) {
      md.appendMarkdown(`next run ${new Date(s.nextRunTime).toLocaleString()}\n\n`);
    }
    md.appendCodeblock(s.command ?? '', 'sh');
    if (s.message) {
      md.appendText(s.message);
    }
    item.tooltip = md;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
