import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { IAsk } from './flows/submitFlow';

/** A question in JupyterLab's own dialog; `danger` makes the accepting button red. */
async function confirm(title: string, body: string, ok: string, danger = false): Promise<boolean> {
  const r = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton(), danger ? Dialog.warnButton({ label: ok }) : Dialog.okButton({ label: ok })]
  });
  return r.button.accept;
}

/** Questions and messages in JupyterLab's own dialogs. */
export const labDialogs: IAsk = {
  confirm: (title, body, ok) => confirm(title, body, ok),
  error: async (title, body) => void (await showErrorMessage(title, body))
};

/** Asks before something that cannot be undone (a red button). */
export function confirmDanger(title: string, body: string, ok: string): Promise<boolean> {
  return confirm(title, body, ok, true);
}
