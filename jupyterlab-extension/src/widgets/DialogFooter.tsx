import * as React from 'react';

/** One button of a dialog's footer. */
export interface IDialogButton {
  label: string;
  onClick: () => void;
  disabled?: boolean;
}

/**
 * A dialog's buttons as JupyterLab's own dialogs lay them out: the rejecting one (Cancel, Close),
 * then the accepting one; `children` (a count, a note) stand before them.
 */
export function DialogFooter(props: {
  reject?: IDialogButton;
  accept?: IDialogButton;
  children?: React.ReactNode;
}): React.ReactElement {
  const button = (b: IDialogButton, kind: 'reject' | 'accept'): React.ReactElement => (
    <button className={`jp-Dialog-button jp-mod-${kind} jp-mod-styled`} disabled={b.disabled} onClick={b.onClick}>
      <div className="jp-Dialog-buttonLabel">{b.label}</div>
    </button>
  );
  return (
    <div className="jp-Dialog-footer">
      {props.children}
      {props.reject && button(props.reject, 'reject')}
      {props.accept && button(props.accept, 'accept')}
    </div>
  );
}
