import type { JsonValue, LiteralKind } from './pythonLiteral';
import { coerceParameterInput, parameterInputText } from './values';

const coerce = (type: LiteralKind, text: string) => coerceParameterInput({ name: 'p', type }, text);

/** String contents that look like keywords, quotes, escapes or unusual characters. */
const TRICKY = [
  'true story',
  'false alarm',
  'null and void',
  'True False None',
  'it\'s "quoted"',
  'back\\slash',
  'tab\there',
  'ünïcödé ✓ 日本語 🎉',
  '{"not": "a dict"}',
  '[1, 2]',
  'x = true'
];

describe('coerceParameterInput never changes the contents of strings', () => {
  test.each(TRICKY)('str takes the text verbatim: %s', s => {
    expect(coerce('str', s)).toEqual({ ok: true, value: s });
  });

  test.each(TRICKY)('a dict value written as JSON keeps its contents: %s', s => {
    expect(coerce('dict', JSON.stringify({ msg: s, flag: true, none: null }))).toEqual({
      ok: true,
      value: { msg: s, flag: true, none: null }
    });
  });

  test.each(TRICKY)('a list item written as JSON keeps its contents: %s', s => {
    expect(coerce('list', JSON.stringify([s, false, null, 1.5]))).toEqual({ ok: true, value: [s, false, null, 1.5] });
  });

  test('the reported bug: {"msg": "true story"} stays "true story"', () => {
    expect(coerce('dict', '{"msg": "true story"}')).toEqual({ ok: true, value: { msg: 'true story' } });
  });

  test('Python literal syntax keeps string contents too, with JSON keywords outside strings', () => {
    expect(coerce('dict', `{'msg': 'true story', 'n': None, 'ok': true, 'off': False}`)).toEqual({
      ok: true,
      value: { msg: 'true story', n: null, ok: true, off: false }
    });
    expect(coerce('list', `['null', "false", 'None', True, null]`)).toEqual({
      ok: true,
      value: ['null', 'false', 'None', true, null]
    });
  });

  test('escapes follow the syntax they are written in', () => {
    // JSON: \/ is "/", \u escapes (a surrogate pair included) are characters
    expect(coerce('list', '["a\\/b", "\\u00e9", "\\ud83c\\udf89", "q\\"uote", "line\\nbreak"]')).toEqual({
      ok: true,
      value: ['a/b', 'é', '🎉', 'q"uote', 'line\nbreak']
    });
    // Python: unknown escapes stay verbatim, \x and \u work, quotes of the other kind need none
    expect(coerce('list', `['a\\/b', '\\x41', '\\u00e9', "it's", 'say "hi"']`)).toEqual({
      ok: true,
      value: ['a\\/b', 'A', 'é', "it's", 'say "hi"']
    });
  });

  test('untyped (None) parameters: JSON or Python literals, else the text itself, unchanged', () => {
    expect(coerce('None', '"true story"')).toEqual({ ok: true, value: 'true story' });
    expect(coerce('None', '{"msg": "null"}')).toEqual({ ok: true, value: { msg: 'null' } });
    expect(coerce('None', 'true story')).toEqual({ ok: true, value: 'true story' });
    expect(coerce('None', 'null')).toEqual({ ok: true, value: null });
  });

  test('scalars: bools, ints, floats', () => {
    expect(coerce('bool', 'true')).toEqual({ ok: true, value: true });
    expect(coerce('bool', 'False')).toEqual({ ok: true, value: false });
    expect(coerce('bool', 'true story').ok).toBe(false);
    expect(coerce('int', '1_000')).toEqual({ ok: true, value: 1000 });
    expect(coerce('float', '2.5e-3')).toEqual({ ok: true, value: 0.0025 });
    expect(coerce('dict', '[1]')).toMatchObject({ ok: false });
    expect(coerce('list', '{"a": 1')).toMatchObject({ ok: false });
  });
});

describe('parameterInputText is read back by coerceParameterInput', () => {
  test.each<[LiteralKind, JsonValue, string]>([
    ['float', 3, '3.0'],
    ['float', 0.25, '0.25'],
    ['int', -7, '-7'],
    ['bool', false, 'False'],
    ['None', null, 'None'],
    ['str', 'x y', 'x y'],
    ['str', 'a\nb', 'a\nb'],
    ['list', [1, 'a'], '[1,"a"]'],
    ['dict', { k: [true, null] }, '{"k":[true,null]}'],
    ['None', '[1]', '"[1]"']
  ])('%s %j shows as %s', (type, value, text) => {
    expect(parameterInputText(type, value)).toBe(text);
    expect(coerce(type, text)).toEqual({ ok: true, value });
  });
});
