import {
  coerceParameterInput,
  parameterInputText as formText,
  parsePythonLiteral,
  type JsonValue,
  type NotebookParameter
} from '@primehub-suite/client/notebook';

type Param = Pick<NotebookParameter, 'name' | 'type'>;

/** Text a one-line input box cannot show as typed: line breaks, tabs and other control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A text that reads as one quoted Python string literal, e.g. `"a\nb"` or `'x'`. */
const QUOTED = /^\s*(["'])[\s\S]*\1\s*$/;

/**
 * The text an input box shows for a parameter value: as in the client's form text, except a `str`
 * a one-line box cannot hold or that already looks quoted, shown as a quoted literal (`"a\nb"`).
 */
export function parameterInputText(type: NotebookParameter['type'], value: JsonValue): string {
  if (typeof value === 'string' && type === 'str' && (CONTROL.test(value) || QUOTED.test(value))) {
    return JSON.stringify(value);
  }
  return formText(type, value);
}

/**
 * Reads what was typed for a parameter (the inverse of {@link parameterInputText}): a `str` typed
 * as one quoted literal is that literal's text (`"a\nb"` is `a`, line break, `b`), other text is
 * taken as is; other types through the client's coercion.
 */
export function readParameterInput(
  param: Param,
  text: string
): { ok: true; value: JsonValue } | { ok: false; message: string } {
  if ((param.type === 'str' || param.type === 'None') && QUOTED.test(text)) {
    try {
      const literal = parsePythonLiteral(text.trim(), { jsonKeywords: true }).value;
      if (typeof literal === 'string') {
        return { ok: true, value: literal };
      }
    } catch {
      // not one literal (e.g. `"a" and "b"`): the text as typed
    }
  }
  return coerceParameterInput(param, text);
}

/** The prompt of a parameter's input box. */
export function parameterPrompt(param: Pick<NotebookParameter, 'name' | 'type' | 'help'>): string {
  const help = param.help ? ` — ${param.help}` : '';
  const quoting = param.type === 'str' ? ' (a quoted literal such as "a\\nb" for line breaks)' : '';
  return `${param.name} (${param.type})${help}${quoting}`;
}
