import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { IAsk } from './flows/submitFlow';

/** Questions and messages in JupyterLab's own dialogs. */
export const labDialogs: IAsk = {
  async confirm(title: string, body: string, ok: string, warn = false): Promise<boolean> {
    const r = await showDialog({
      title,
      body,
      buttons: [Dialog.cancelButton(), warn ? Dialog.warnButton({ label: ok }) : Dialog.okButton({ label: ok })]
    });
    return r.button.accept;
  },
  async error(title: string, body: string): Promise<void> {
    await showErrorMessage(title, body);
  }
};

/** Asks before something that cannot be undone (a red button). */
export function confirmDanger(title: string, body: string, ok: string): Promise<boolean> {
  return (labDialogs.confirm as (t: string, b: string, o: string, w: boolean) => Promise<boolean>)(
    title,
    body,
    ok,
    true
  );
}
