import * as React from 'react';

/**
 * A text field as the forms have it: JupyterLab's styled input without spelling marks or the
 * browser's autofill (names, URIs, tokens); `onChange` is told the text.
 */
export function TextInput(
  props: Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
    value: string;
    onChange: (value: string) => void;
  }
): React.ReactElement {
  const { className, onChange, ...rest } = props;
  return (
    <input
      className={className ? `jp-mod-styled ${className}` : 'jp-mod-styled'}
      spellCheck={false}
      autoComplete="off"
      {...rest}
      onChange={e => onChange(e.target.value)}
    />
  );
}
