import * as vscode from 'vscode';

/** An item of {@link pickOrType}: picking it answers `value`. */
export interface ValueItem extends vscode.QuickPickItem {
  value: string;
}

/**
 * A QuickPick shown at once (busy while `load` runs) whose items can be picked or any value typed:
 * the typed value is offered as an item of its own (`typedItem`) unless an item has that value.
 * Undefined when dismissed. A failed load rejects, unless `typeOnLoadError` leaves typing only
 * (when what is offered is a convenience).
 */
export function pickOrType(opts: {
  title: string;
  placeholder: string;
  typedItem: (value: string) => ValueItem;
  load: (signal: AbortSignal) => Promise<ValueItem[]>;
  typeOnLoadError?: boolean;
}): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve, reject) => {
    const qp = vscode.window.createQuickPick<ValueItem>();
    const abort = new AbortController();
    let offered: ValueItem[] = [];
    let settled = false;
    const finish = (value: string | undefined, error?: unknown): void => {
      if (!settled) {
        settled = true;
        abort.abort();
        qp.dispose();
        if (error !== undefined) {
          reject(error);
        } else {
          resolve(value);
        }
      }
    };
    const update = (): void => {
      const value = qp.value.trim();
      qp.items =
        value && !offered.some(i => i.value === value)
          ? [...offered, { ...opts.typedItem(value), alwaysShow: true }]
          : offered;
    };
    qp.title = opts.title;
    qp.placeholder = opts.placeholder;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.busy = true;
    qp.onDidChangeValue(update);
    qp.onDidAccept(() => {
      const value = (qp.selectedItems[0] ?? qp.activeItems[0])?.value ?? qp.value.trim();
      if (value) {
        finish(value);
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    opts.load(abort.signal).then(
      items => {
        offered = items;
        qp.busy = false;
        update();
      },
      (e: unknown) => {
        if (opts.typeOnLoadError) {
          qp.busy = false;
          update();
        } else {
          finish(undefined, e);
        }
      }
    );
  });
}
