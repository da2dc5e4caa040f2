/**
 * The typed parameter form of "Submit notebook as job", without any DOM: fields come from the
 * notebook's `parameters` cell (the client's parser), typed text is read with the client's
 * coercion; the client's `runSweep` expands sweeps.
 */
import {
  coerceParameterInput,
  parameterInputText,
  parseNotebookParameters,
  type JsonValue,
  type NotebookParameter,
  type ParameterDiagnostic
} from '@primehub-suite/client/notebook';

/** One input of the form. */
export interface IParameterField {
  name: string;
  type: NotebookParameter['type'];
  /** The cell's comment on that line. */
  help: string;
  /** The default from the cell, as text in the field. */
  defaultText: string;
  /** What the user typed (the default until edited). */
  text: string;
  /** Several values, one per line: one job per value (and per combination with other swept fields). */
  sweep: boolean;
}

/** The form's starting point for one notebook. */
export interface IParameterFormModel {
  hasParametersCell: boolean;
  fields: IParameterField[];
  diagnostics: ParameterDiagnostic[];
}

/** What the form holds once read. */
export interface IParameterFormValues {
  /** Values of the fields that are not swept. */
  values: Record<string, JsonValue>;
  /** Values of swept fields. */
  sweep: Record<string, JsonValue[]>;
  /** Field name -> problem; empty when the form can be submitted. */
  errors: Record<string, string>;
}

/** Builds the form for a notebook (its JSON), optionally pre-filled (a rerun with edited values). */
export function formFromNotebook(
  notebook: string | object,
  prefill: Record<string, JsonValue> = {}
): IParameterFormModel {
  const parsed = parseNotebookParameters(notebook);
  const fields = parsed.parameters.map(p => {
    const defaultText = parameterInputText(p.type, p.default);
    const text = p.name in prefill ? parameterInputText(p.type, prefill[p.name]) : defaultText;
    return { name: p.name, type: p.type, help: p.help ?? '', defaultText, text, sweep: false };
  });
  return { hasParametersCell: parsed.hasParametersCell, fields, diagnostics: parsed.diagnostics };
}

function sweepLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '');
}

/** Reads every field; invalid ones get a message instead of a value. */
export function readForm(fields: ReadonlyArray<IParameterField>): IParameterFormValues {
  const out: IParameterFormValues = { values: {}, sweep: {}, errors: {} };
  for (const f of fields) {
    if (!f.sweep) {
      const r = coerceParameterInput(f, f.text);
      if (r.ok) {
        out.values[f.name] = r.value;
      } else {
        out.errors[f.name] = r.message;
      }
      continue;
    }
    const lines = sweepLines(f.text);
    if (lines.length === 0) {
      out.errors[f.name] = 'give at least one value (one per line)';
      continue;
    }
    const values: JsonValue[] = [];
    for (const [i, line] of lines.entries()) {
      const r = coerceParameterInput(f, line);
      if (!r.ok) {
        out.errors[f.name] = `line ${i + 1}: ${r.message}`;
        break;
      }
      values.push(r.value);
    }
    if (!(f.name in out.errors)) {
      out.sweep[f.name] = values;
    }
  }
  return out;
}

/** Number of jobs the form submits (1 without a sweep). */
export function jobCount(form: IParameterFormValues): number {
  return Object.values(form.sweep).reduce((n, v) => n * v.length, 1);
}

/** The most jobs one sweep may submit (the client's `runSweep` limit). */
export const MAX_SWEEP_JOBS = 50;

/** The default job name for a notebook path: its file name without `.ipynb`, in PrimeHub's allowed characters. */
export function defaultJobName(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.ipynb$/, '').trim() || 'notebook';
}

/** Diagnostics of text Python itself refuses to run (not merely lines that are no parameter). */
const SYNTAX_ERROR =
  /unclosed bracket|unterminated string|missing value|missing "|leading zeros|bad \\|bad number|unexpected "/;

/**
 * The problems of a `parameters` cell that papermill would run into as a SyntaxError: a
 * submission is blocked on them. A line like `x = np.zeros(3)` is valid Python and only not a
 * parameter, so it does not block.
 */
export function cellSyntaxErrors(diagnostics: ReadonlyArray<ParameterDiagnostic>): string[] {
  return (
    diagnostics
      // "unexpected … after the value" is an expression such as `1 + 2`: Python runs it.
      .filter(d => d.severity === 'error' && SYNTAX_ERROR.test(d.message) && !/after the value/.test(d.message))
      .map(d => `line ${d.line}: ${d.message}`)
  );
}
