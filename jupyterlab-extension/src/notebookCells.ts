import { Dialog, showDialog } from '@jupyterlab/apputils';
import { NotebookActions, type INotebookTracker } from '@jupyterlab/notebook';

/**
 * Adds a code cell holding `source` below the active cell of the current notebook (the one last
 * focused) and shows it; without an open notebook, says so and adds nothing. Resolves with whether
 * the cell was added.
 */
export async function insertCodeCell(
  tracker: INotebookTracker | null,
  source: string,
  reveal: (id: string) => void
): Promise<boolean> {
  const panel = tracker?.currentWidget;
  if (!panel || !panel.content.model) {
    await showDialog({
      title: 'No notebook open',
      body: 'Open a notebook first: the request cell is added below its active cell.',
      buttons: [Dialog.okButton()]
    });
    return false;
  }
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') {
    NotebookActions.changeCellType(notebook, 'code');
  }
  notebook.activeCell?.model.sharedModel.setSource(source);
  reveal(panel.id);
  return true;
}
