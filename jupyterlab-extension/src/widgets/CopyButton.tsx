import { Clipboard } from '@jupyterlab/apputils';
import { copyIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

/**
 * JupyterLab's toolbar button that copies `text` to the clipboard and then says "Copied"; labelled
 * "Copy" before that when `labelled`, else only its icon.
 */
export function CopyButton(props: { text: string; tooltip: string; labelled?: boolean }): React.ReactElement {
  const [copied, setCopied] = React.useState(false);
  return (
    <ToolbarButtonComponent
      icon={copyIcon}
      label={copied ? 'Copied' : props.labelled ? 'Copy' : undefined}
      tooltip={props.tooltip}
      onClick={() => {
        Clipboard.copyToSystem(props.text);
        setCopied(true);
      }}
    />
  );
}
