import type { NotebookParameter } from './parameters';
import { JsonValue, parsePythonLiteral } from './pythonLiteral';

/** A problem with one user-supplied parameter value. */
export interface ValueIssue {
  name: string;
  message: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** True if `v` is a JSON-compatible value (finite numbers, plain objects, arrays…). */
export function isJsonValue(v: unknown): v is JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') {
    return true;
  }
  if (typeof v === 'number') {
    return Number.isFinite(v);
  }
  if (Array.isArray(v)) {
    return v.every(isJsonValue);
  }
  if (isPlainObject(v)) {
    return Object.values(v).every(isJsonValue);
  }
  return false;
}

/** Checks one value against a parameter's type; returns a message or undefined when valid. */
export function checkParameterValue(
  param: Pick<NotebookParameter, 'name' | 'type'>,
  value: unknown
): string | undefined {
  if (!isJsonValue(value)) {
    return 'must be a JSON-compatible value (finite numbers, strings, booleans, null, lists, objects)';
  }
  switch (param.type) {
    case 'int':
      return Number.isSafeInteger(value) ? undefined : 'must be an integer';
    case 'float':
      return typeof value === 'number' ? undefined : 'must be a number';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'str':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'list':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'dict':
      return isPlainObject(value) ? undefined : 'must be a dict (object)';
    case 'None':
      return undefined;
  }
}

/**
 * Validates user values against the notebook's parameters. Unknown names are reported unless
 * `allowUnknown` (papermill would inject them, but they are usually typos).
 */
export function validateParameterValues(
  params: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>,
  values: Record<string, unknown>,
  options: { allowUnknown?: boolean } = {}
): ValueIssue[] {
  const byName = new Map(params.map(p => [p.name, p]));
  const issues: ValueIssue[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      issues.push({ name, message: 'is not a valid Python identifier' });
      continue;
    }
    const p = byName.get(name);
    if (!p) {
      if (!options.allowUnknown) {
        issues.push({ name, message: 'is not a parameter of this notebook' });
      } else if (!isJsonValue(value)) {
        issues.push({ name, message: 'must be a JSON-compatible value' });
      }
      continue;
    }
    const msg = checkParameterValue(p, value);
    if (msg) {
      issues.push({ name, message: msg });
    }
  }
  return issues;
}

/** The value of strict JSON text, or undefined when the text is not JSON. */
function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * The text a form field shows for a value, which {@link coerceParameterInput} reads back: a `str`
 * as its plain text, numbers, booleans and None as Python writes them (a whole `float` keeps its
 * `.0`), lists, dicts and the strings of an untyped parameter as JSON.
 */
export function parameterInputText(type: NotebookParameter['type'], value: JsonValue): string {
  if (typeof value === 'string' && type === 'str') {
    return value;
  }
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return type === 'float' && Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  return JSON.stringify(value);
}

/**
 * Converts text typed into a form field into a value of the parameter's type.
 * `str` takes the text verbatim; lists and dicts accept Python or JSON literal syntax. The
 * contents of strings inside them are never changed.
 */
export function coerceParameterInput(
  param: Pick<NotebookParameter, 'name' | 'type'>,
  text: string
): { ok: true; value: JsonValue } | { ok: false; message: string } {
  const t = text.trim();
  const bad = (message: string): { ok: false; message: string } => ({ ok: false, message });
  switch (param.type) {
    case 'str':
      return { ok: true, value: text };
    case 'int':
      if (/^[+-]?\d[\d_]*$/.test(t)) {
        const n = Number(t.replace(/_/g, ''));
        return Number.isSafeInteger(n) ? { ok: true, value: n } : bad('integer out of range');
      }
      return bad('must be an integer');
    case 'float': {
      const n = /^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t.replace(/_/g, '')) : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : bad('must be a number');
    }
    case 'bool':
      if (/^(true|True)$/.test(t)) {
        return { ok: true, value: true };
      }
      if (/^(false|False)$/.test(t)) {
        return { ok: true, value: false };
      }
      return bad('must be true or false');
    default: {
      let value: JsonValue;
      try {
        // JSON first (its escapes, e.g. "\/", differ from Python's), then a Python literal that may
        // use JSON's keywords; keywords are only recognised as tokens, never inside strings
        value = parseJson(t) ?? parsePythonLiteral(t, { jsonKeywords: true }).value;
      } catch (e) {
        if (param.type === 'None') {
          // untyped parameter (default None): a non-literal is taken as text
          return { ok: true, value: text };
        }
        return bad(`must be a ${param.type} literal: ${e instanceof Error ? e.message : String(e)}`);
      }
      const msg = checkParameterValue(param, value);
      return msg ? bad(msg) : { ok: true, value };
    }
  }
}
