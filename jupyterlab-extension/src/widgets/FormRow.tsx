import * as React from 'react';

/**
 * One row of a `jp-primehub-Grid` form: its label, then the field with what is said under it (help,
 * a problem) in one cell. `htmlFor` names the control the label is for; without it (a radio group,
 * a value shown as text) the label is a caption.
 */
export function FormRow(props: { label: string; htmlFor?: string; children: React.ReactNode }): React.ReactElement {
  return (
    <>
      {props.htmlFor ? (
        <label className="jp-primehub-GridLabel" htmlFor={props.htmlFor}>
          {props.label}
        </label>
      ) : (
        <span className="jp-primehub-GridLabel">{props.label}</span>
      )}
      <div className="jp-primehub-GridField">{props.children}</div>
    </>
  );
}
