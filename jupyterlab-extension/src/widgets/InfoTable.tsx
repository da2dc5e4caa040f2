import * as React from 'react';

/** Label and value rows, as the detail views show a record. */
export function InfoTable(props: {
  rows: ReadonlyArray<[string, React.ReactNode]>;
  testId?: string;
}): React.ReactElement {
  return (
    <table className="jp-primehub-Info" {...(props.testId ? { 'data-testid': props.testId } : {})}>
      <tbody>
        {props.rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td data-field={k}>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
