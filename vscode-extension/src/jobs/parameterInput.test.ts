import { parseNotebookParameters } from '@primehub-suite/client/notebook';
import { parameterInputText, parameterPrompt, readParameterInput } from './parameterInput';

/** A notebook whose parameters cell holds `source`. */
function notebook(source: string): object {
  return {
    cells: [{ cell_type: 'code', metadata: { tags: ['parameters'] }, source, outputs: [], execution_count: null }],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  };
}

describe('parameter input boxes', () => {
  it('prefills a str default with a line break as a quoted literal, and reads it back unchanged', () => {
    const [p] = parseNotebookParameters(notebook('note = "a\\nb"\n')).parameters;
    expect(p.default).toBe('a\nb');
    const text = parameterInputText(p.type, p.default);
    expect(text).toBe('"a\\nb"');
    expect(text).not.toContain('\n');
    expect(readParameterInput(p, text)).toEqual({ ok: true, value: 'a\nb' });
  });

  it('shows plain text as typed and takes it as typed', () => {
    const p = { name: 'name', type: 'str' as const };
    expect(parameterInputText('str', 'hello world')).toBe('hello world');
    expect(readParameterInput(p, 'hello world')).toEqual({ ok: true, value: 'hello world' });
    // a typed quoted literal is its text; text that only starts with a quote is taken as is
    expect(readParameterInput(p, "'line 1\\nline 2'")).toEqual({ ok: true, value: 'line 1\nline 2' });
    expect(readParameterInput(p, '"a" and "b"')).toEqual({ ok: true, value: '"a" and "b"' });
    expect(readParameterInput(p, "it's")).toEqual({ ok: true, value: "it's" });
  });

  it('round-trips strings that look quoted, tabs and other control characters', () => {
    const p = { name: 's', type: 'str' as const };
    for (const value of ['"quoted"', "'single'", 'tab\there', 'cr\r\nlf', 'bell\u0007', '', '   ']) {
      expect(readParameterInput(p, parameterInputText('str', value))).toEqual({ ok: true, value });
    }
  });

  it('writes other types as Python does and reads them through the client', () => {
    expect(parameterInputText('float', 1)).toBe('1.0');
    expect(parameterInputText('bool', false)).toBe('False');
    expect(parameterInputText('None', null)).toBe('None');
    expect(parameterInputText('list', [1, 'a'])).toBe('[1,"a"]');
    expect(readParameterInput({ name: 'lr', type: 'float' }, '1.0')).toEqual({ ok: true, value: 1 });
    expect(readParameterInput({ name: 'n', type: 'int' }, 'x')).toEqual({ ok: false, message: 'must be an integer' });
  });

  it('tells how to write a line break in the prompt of str parameters only', () => {
    expect(parameterPrompt({ name: 'note', type: 'str', help: 'a note' })).toBe(
      'note (str) — a note (a quoted literal such as "a\\nb" for line breaks)'
    );
    expect(parameterPrompt({ name: 'n', type: 'int' })).toBe('n (int)');
  });
});
