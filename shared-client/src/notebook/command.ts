/**
 * The command PrimeHub runs for "submit notebook as job":
 *
 *   cd '<workdir>' && papermill '<input>' '<output>' -b '<base64>' --log-output
 *
 * Paths are quoted by one function (POSIX single quotes); parameter values never appear in the
 * shell line except inside the base64 text, which papermill decodes and reads with
 * `yaml.safe_load`. The decoded text is JSON, which YAML accepts, written so PyYAML reads every
 * number with its type (floats always with a dot and a signed exponent).
 */
import { base64ToUtf8, utf8ToBase64 } from '../base64';
import { ValidationError } from '../errors';
import type { JsonValue, LiteralKind } from './pythonLiteral';
import { isJsonValue } from './values';

/** Quotes one word for a POSIX shell: `'…'`, with `'` written as `'\''`. */
export function shellQuote(word: string): string {
  if (typeof word !== 'string') {
    throw new ValidationError('only strings can be shell-quoted');
  }
  if (word.includes('\0')) {
    throw new ValidationError('a shell word cannot contain a NUL byte');
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// Characters PyYAML refuses raw or treats as line breaks inside quoted scalars.
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

function formatFloat(n: number): string {
  if (Object.is(n, -0)) {
    return '-0.0';
  }
  const s = String(n);
  const [mantissa, exponent] = s.split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  // JS writes exponents with a sign (1e+21, 1e-7), which YAML 1.1 floats require
  return exponent === undefined ? m : `${m}e${exponent}`;
}

function emit(value: JsonValue, floatHint: boolean): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ValidationError('NaN and infinite numbers cannot be passed as parameters');
    }
    if (Number.isInteger(value) && !floatHint) {
      return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
    }
    return formatFloat(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(YAML_UNSAFE, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) {
    return `[${value.map(v => emit(v, false)).join(', ')}]`;
  }
  return `{${Object.entries(value)
    .map(([k, v]) => `${emit(k, false)}: ${emit(v, false)}`)
    .join(', ')}}`;
}

/**
 * Serialises parameters as JSON text that PyYAML's `safe_load` reads back to the same values.
 * @param types parameter types; integral values of `float` parameters are written as `1.0`
 */
export function parametersToYaml(
  parameters: Record<string, unknown>,
  types: Record<string, LiteralKind | undefined> = {}
): string {
  for (const [k, v] of Object.entries(parameters)) {
    if (!isJsonValue(v)) {
      throw new ValidationError(`parameter ${k} is not a JSON-compatible value`);
    }
  }
  return `{${Object.entries(parameters as Record<string, JsonValue>)
    .map(([k, v]) => `${emit(k, false)}: ${emit(v, types[k] === 'float')}`)
    .join(', ')}}`;
}

/** Base64 of `parametersToYaml` (papermill `-b`). */
export function encodeParameters(
  parameters: Record<string, unknown>,
  types?: Record<string, LiteralKind | undefined>
): string {
  return utf8ToBase64(parametersToYaml(parameters, types));
}

/** Reads parameters back from papermill `-b` text produced by `encodeParameters`. */
export function decodeParameters(b64: string): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = JSON.parse(base64ToUtf8(b64));
  } catch (e) {
    throw new ValidationError(`parameters are not base64-encoded JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('parameters must be an object');
  }
  return value as Record<string, JsonValue>;
}

/** The parts of a notebook job command. */
export interface NotebookCommand {
  /** Folder the job `cd`s into (papermill resolves relative paths from there). */
  workdir: string;
  /** Notebook to execute (usually a snapshot copy). */
  input: string;
  /** Where papermill writes the executed notebook. */
  output: string;
  parameters: Record<string, JsonValue>;
}

/** Builds the job command; see the module comment. */
export function buildNotebookCommand(cmd: NotebookCommand, types?: Record<string, LiteralKind | undefined>): string {
  for (const [field, v] of [
    ['workdir', cmd.workdir],
    ['input', cmd.input],
    ['output', cmd.output]
  ] as const) {
    if (typeof v !== 'string' || v === '') {
      throw new ValidationError(`${field} is required`);
    }
    if (/[\r\n]/.test(v)) {
      throw new ValidationError(`${field} must not contain line breaks`);
    }
  }
  for (const name of Object.keys(cmd.parameters)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ValidationError(`parameter name "${name}" is not a Python identifier`);
    }
  }
  const b64 = encodeParameters(cmd.parameters, types);
  return [
    'cd',
    shellQuote(cmd.workdir),
    '&&',
    'papermill',
    shellQuote(cmd.input),
    shellQuote(cmd.output),
    '-b',
    shellQuote(b64),
    '--log-output'
  ].join(' ');
}

type Token = { word: string } | { op: string };

/** Splits a POSIX shell line into words and control operators (no expansion is performed). */
export function shellSplit(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let cur: string | null = null;
  const push = (): void => {
    if (cur !== null) {
      tokens.push({ word: cur });
      cur = null;
    }
  };
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      push();
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) {
        throw new ValidationError('unterminated single quote');
      }
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && '$`"\\\n'.includes(line[j + 1] ?? '')) {
          j++;
          if (line[j] !== '\n') {
            s += line[j];
          }
        } else if (line[j] === '$' || line[j] === '`') {
          throw new ValidationError('expansions are not allowed in a notebook command');
        } else {
          s += line[j];
        }
      }
      if (j >= line.length) {
        throw new ValidationError('unterminated double quote');
      }
      cur = (cur ?? '') + s;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < line.length && line[i + 1] !== '\n') {
        cur = (cur ?? '') + line[i + 1];
      }
      i += 2;
    } else if (line.startsWith('&&', i) || line.startsWith('||', i)) {
      push();
      tokens.push({ op: line.slice(i, i + 2) });
      i += 2;
    } else if (';|&<>()'.includes(c)) {
      push();
      tokens.push({ op: c });
      i++;
    } else if (c === '$' || c === '`') {
      throw new ValidationError('expansions are not allowed in a notebook command');
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  push();
  return tokens;
}

/**
 * Parses a command made by `buildNotebookCommand` back into its parts.
 * Throws ValidationError for anything else.
 */
export function parseNotebookCommand(command: string): NotebookCommand {
  const t = shellSplit(command);
  const word = (i: number): string | undefined => {
    const tok = t[i];
    return tok && 'word' in tok ? tok.word : undefined;
  };
  const isOp = (i: number, op: string): boolean => {
    const tok = t[i];
    return tok !== undefined && 'op' in tok && tok.op === op;
  };
  if (word(0) !== 'cd' || word(1) === undefined || !isOp(2, '&&') || word(3) !== 'papermill') {
    throw new ValidationError('not a notebook job command (expected "cd <dir> && papermill …")');
  }
  const positional: string[] = [];
  let b64: string | undefined;
  for (let i = 4; i < t.length; i++) {
    const w = word(i);
    if (w === undefined) {
      throw new ValidationError('unexpected shell operator in a notebook job command');
    }
    if (w === '-b' || w === '--parameters_base64') {
      b64 = word(++i);
      if (b64 === undefined) {
        throw new ValidationError(`${w} needs a value`);
      }
    } else if (w === '--log-output') {
      continue;
    } else if (w.startsWith('-')) {
      throw new ValidationError(`unsupported papermill option ${w}`);
    } else {
      positional.push(w);
    }
  }
  if (positional.length !== 2) {
    throw new ValidationError('expected an input and an output notebook');
  }
  return {
    workdir: word(1) as string,
    input: positional[0],
    output: positional[1],
    parameters: b64 === undefined ? {} : decodeParameters(b64)
  };
}
