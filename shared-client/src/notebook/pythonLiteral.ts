/**
 * A parser for the subset of Python that a papermill `parameters` cell holds: literals
 * (int, float, bool, None, str, list, tuple, dict) with comments and line continuations.
 * Anything else is rejected with a reason instead of being guessed.
 */

/** JSON-compatible values (what papermill can inject). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Kinds of literal, as papermill names them. */
export type LiteralKind = 'int' | 'float' | 'bool' | 'str' | 'list' | 'dict' | 'None';

/** A parsed literal. */
export interface Literal {
  kind: LiteralKind;
  value: JsonValue;
}

/** Thrown for source the parser does not accept; `message` says why. */
export class LiteralSyntaxError extends Error {
  override name = 'LiteralSyntaxError';
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': ''
};

/** Options of {@link parsePythonLiteral}. */
export interface LiteralOptions {
  /** Also accept JSON's `true`, `false` and `null` (outside strings), as form input may use them. */
  jsonKeywords?: boolean;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly options: LiteralOptions = {}
  ) {}

  parseAll(): Literal {
    this.skipSpace();
    const lit = this.parseValue();
    this.skipSpace();
    if (this.pos < this.src.length) {
      throw new LiteralSyntaxError(`unexpected "${this.src.slice(this.pos, this.pos + 20)}" after the value`);
    }
    return lit;
  }

  /** Skips whitespace, newlines, comments and backslash-newline continuations. */
  private skipSpace(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
        this.pos++;
      } else if (c === '\\' && (this.src[this.pos + 1] === '\n' || this.src[this.pos + 1] === '\r')) {
        this.pos += 2;
      } else if (c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') {
          this.pos++;
        }
      } else {
        return;
      }
    }
  }

  private parseValue(): Literal {
    const c = this.src[this.pos];
    if (c === undefined) {
      throw new LiteralSyntaxError('missing value');
    }
    if (c === '[') {
      return { kind: 'list', value: this.parseSequence(']').items };
    }
    if (c === '(') {
      const seq = this.parseSequence(')');
      // (x) is just x; (x,) and () are tuples, which we carry as lists
      if (seq.items.length === 1 && !seq.trailingComma && seq.kinds[0]) {
        return { kind: seq.kinds[0], value: seq.items[0] };
      }
      return { kind: 'list', value: seq.items };
    }
    if (c === '{') {
      return this.parseDict();
    }
    if (c === '-' || c === '+') {
      this.pos++;
      this.skipSpace();
      const inner = this.parseValue();
      if (inner.kind !== 'int' && inner.kind !== 'float') {
        throw new LiteralSyntaxError(`unary ${c} applies only to numbers`);
      }
      return { kind: inner.kind, value: c === '-' ? -(inner.value as number) : (inner.value as number) };
    }
    if (/[0-9.]/.test(c)) {
      return this.parseNumber();
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (word) {
      const w = word[0];
      const after = this.src[this.pos + w.length];
      if ((after === "'" || after === '"') && /^[rRuUbBfF]{1,2}$/.test(w)) {
        return this.parseStrings();
      }
      this.pos += w.length;
      if (w === 'True' || w === 'False') {
        return { kind: 'bool', value: w === 'True' };
      }
      if (w === 'None') {
        return { kind: 'None', value: null };
      }
      if (this.options.jsonKeywords && (w === 'true' || w === 'false')) {
        return { kind: 'bool', value: w === 'true' };
      }
      if (this.options.jsonKeywords && w === 'null') {
        return { kind: 'None', value: null };
      }
      throw new LiteralSyntaxError(`"${w}" is not a literal (expressions and names are not evaluated)`);
    }
    if (c === "'" || c === '"') {
      return this.parseStrings();
    }
    throw new LiteralSyntaxError(`unexpected "${c}"`);
  }

  private parseSequence(close: string): { items: JsonValue[]; kinds: LiteralKind[]; trailingComma: boolean } {
    this.pos++; // open
    const items: JsonValue[] = [];
    const kinds: LiteralKind[] = [];
    let trailingComma = false;
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === close) {
        this.pos++;
        return { items, kinds, trailingComma };
      }
      const v = this.parseValue();
      items.push(v.value);
      kinds.push(v.kind);
      trailingComma = false;
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === ',') {
        this.pos++;
        trailingComma = true;
      } else if (c !== close) {
        throw new LiteralSyntaxError(c === undefined ? `missing "${close}"` : `expected "," or "${close}", got "${c}"`);
      }
    }
  }

  private parseDict(): Literal {
    this.pos++; // {
    const out: { [key: string]: JsonValue } = {};
    let first = true;
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '}') {
        this.pos++;
        return { kind: 'dict', value: out };
      }
      const key = this.parseValue();
      if (key.kind !== 'str') {
        throw new LiteralSyntaxError('dict keys must be strings to be passed as parameters');
      }
      this.skipSpace();
      if (this.src[this.pos] !== ':') {
        throw new LiteralSyntaxError(first ? 'sets are not supported (expected ":")' : 'expected ":" after a dict key');
      }
      this.pos++;
      this.skipSpace();
      out[key.value as string] = this.parseValue().value;
      first = false;
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === ',') {
        this.pos++;
      } else if (c !== '}') {
        throw new LiteralSyntaxError(c === undefined ? 'missing "}"' : `expected "," or "}", got "${c}"`);
      }
    }
  }

  private parseNumber(): Literal {
    const rest = this.src.slice(this.pos);
    const m = new RegExp(
      [
        '^0[xX][0-9a-fA-F_]+',
        '^0[oO][0-7_]+',
        '^0[bB][01_]+',
        '^\\d[\\d_]*\\.(?:\\d[\\d_]*)?(?:[eE][+-]?\\d[\\d_]*)?',
        '^\\.\\d[\\d_]*(?:[eE][+-]?\\d[\\d_]*)?',
        '^\\d[\\d_]*(?:[eE][+-]?\\d[\\d_]*)?'
      ].join('|')
    ).exec(rest);
    if (!m || m[0] === '') {
      throw new LiteralSyntaxError(`bad number "${rest.slice(0, 10)}"`);
    }
    const text = m[0];
    this.pos += text.length;
    if (/^[jJlL]/.test(this.src[this.pos] ?? '')) {
      throw new LiteralSyntaxError('complex and long literals are not supported');
    }
    if (/[A-Za-z0-9_]/.test(this.src[this.pos] ?? '')) {
      throw new LiteralSyntaxError(`bad number "${text}${this.src[this.pos]}"`);
    }
    const clean = text.replace(/_/g, '');
    if (/^0[xXoObB]/.test(clean)) {
      const base = { x: 16, o: 8, b: 2 }[clean[1].toLowerCase() as 'x' | 'o' | 'b'];
      return { kind: 'int', value: parseInt(clean.slice(2), base) };
    }
    if (/[.eE]/.test(clean)) {
      return { kind: 'float', value: Number(clean) };
    }
    if (/^0\d/.test(clean)) {
      throw new LiteralSyntaxError('leading zeros are not allowed in Python integers');
    }
    const n = Number(clean);
    if (!Number.isSafeInteger(n)) {
      throw new LiteralSyntaxError(`integer ${clean} is too large to pass exactly`);
    }
    return { kind: 'int', value: n };
  }

  /** One or more adjacent string literals (implicit concatenation). */
  private parseStrings(): Literal {
    let value = '';
    for (;;) {
      value += this.parseString();
      const save = this.pos;
      this.skipSpace();
      const c = this.src[this.pos];
      const prefix = /^[rRuU]?(?=['"])/.exec(this.src.slice(this.pos));
      if (c === "'" || c === '"' || (prefix && prefix[0] !== '')) {
        continue;
      }
      this.pos = save;
      return { kind: 'str', value };
    }
  }

  private parseString(): string {
    let prefix = '';
    while (/[rRuUbBfF]/.test(this.src[this.pos])) {
      prefix += this.src[this.pos].toLowerCase();
      this.pos++;
    }
    if (prefix.includes('b')) {
      throw new LiteralSyntaxError('bytes literals are not supported');
    }
    if (prefix.includes('f')) {
      throw new LiteralSyntaxError('f-strings are evaluated at run time and cannot be parameters');
    }
    const raw = prefix.includes('r');
    const q = this.src[this.pos];
    const triple = this.src.startsWith(q.repeat(3), this.pos);
    const delim = triple ? q.repeat(3) : q;
    this.pos += delim.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) {
        throw new LiteralSyntaxError('unterminated string');
      }
      if (this.src.startsWith(delim, this.pos)) {
        this.pos += delim.length;
        return out;
      }
      const c = this.src[this.pos];
      if (c === '\n' && !triple) {
        throw new LiteralSyntaxError('unterminated string (newline inside a single-quoted string)');
      }
      if (c === '\\') {
        const n = this.src[this.pos + 1];
        if (n === undefined) {
          throw new LiteralSyntaxError('unterminated string');
        }
        if (raw) {
          out += c + n;
          this.pos += 2;
          continue;
        }
        this.pos += 2;
        if (n in SIMPLE_ESCAPES) {
          out += SIMPLE_ESCAPES[n];
        } else if (n === '\r') {
          if (this.src[this.pos] === '\n') {
            this.pos++;
          }
        } else if (n === 'x' || n === 'u' || n === 'U') {
          const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
          const hex = this.src.slice(this.pos, this.pos + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) {
            throw new LiteralSyntaxError(`bad \\${n} escape`);
          }
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) {
            throw new LiteralSyntaxError(`bad \\${n} escape`);
          }
          out += String.fromCodePoint(cp);
          this.pos += len;
        } else if (/[0-7]/.test(n)) {
          const oct = /^[0-7]{1,2}/.exec(this.src.slice(this.pos))?.[0] ?? '';
          out += String.fromCharCode(parseInt(n + oct, 8));
          this.pos += oct.length;
        } else if (n === 'N') {
          throw new LiteralSyntaxError('\\N{…} escapes are not supported');
        } else {
          // Python keeps unknown escapes verbatim
          out += c + n;
        }
        continue;
      }
      out += c;
      this.pos++;
    }
  }
}

/** Parses one Python literal expression; throws LiteralSyntaxError with a reason otherwise. */
export function parsePythonLiteral(source: string, options: LiteralOptions = {}): Literal {
  return new Parser(source, options).parseAll();
}

/**
 * Scans Python source from `start` and returns the index just past the end of the logical
 * line (honouring brackets, strings and backslash continuations), plus the comment text found.
 */
export function scanLogicalLine(src: string, start: number): { end: number; comments: string[]; open: boolean } {
  let depth = 0;
  let i = start;
  const comments: string[] = [];
  while (i < src.length) {
    const c = src[i];
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      const stop = nl < 0 ? src.length : nl;
      comments.push(src.slice(i + 1, stop).trim());
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      const triple = src.startsWith(c.repeat(3), i);
      const delim = triple ? c.repeat(3) : c;
      i += delim.length;
      while (i < src.length && !src.startsWith(delim, i)) {
        if (src[i] === '\\') {
          i++;
        } else if (src[i] === '\n' && !triple) {
          break;
        }
        i++;
      }
      i += delim.length;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '[' || c === '(' || c === '{') {
      depth++;
    } else if (c === ']' || c === ')' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === '\n' && depth === 0) {
      return { end: i + 1, comments, open: false };
    }
    i++;
  }
  return { end: src.length, comments, open: depth > 0 };
}
