import * as React from 'react';

/**
 * A failure or a problem in a sentence, in JupyterLab's error colour; nothing when `text` is empty.
 * `alert` announces it (a failed action, not a field's problem as it is typed).
 */
export function ErrorText(props: { text?: string; testId?: string; alert?: boolean }): React.ReactElement | null {
  return props.text ? (
    <div
      className="jp-primehub-Error"
      {...(props.alert ? { role: 'alert' } : {})}
      {...(props.testId ? { 'data-testid': props.testId } : {})}
    >
      {props.text}
    </div>
  ) : null;
}
