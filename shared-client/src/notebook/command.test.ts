import { execFileSync, spawnSync } from 'node:child_process';
import { ValidationError } from '../errors';
import { requires, venvPython } from '../testing/paths';
import {
  buildNotebookCommand,
  decodeParameters,
  encodeParameters,
  parametersToYaml,
  parseNotebookCommand,
  shellQuote,
  shellSplit
} from './command';

const HOSTILE = [
  "it's",
  'say "hi"',
  'a; rm -rf ~',
  '$(touch /tmp/pwned)',
  '`id`',
  'line1\nline2\r\nline3',
  'tab\there',
  'unicode: héllo — 日本語 🚀',
  '\\backslash\\',
  '${HOME}',
  "'; echo pwned; '",
  '--log-output',
  '-b',
  '',
  '\u2028\u2029\u0085\u007f\ufeff'
];

const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;
const hasPyYaml = spawnSync(venvPython(), ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

describe('shellQuote', () => {
  it.each(HOSTILE.filter(s => !s.includes('\r')))('round-trips %j through a real shell', s => {
    requires(hasBash, 'bash');
    const out = execFileSync('bash', ['-c', `printf %s ${shellQuote(s)}`]).toString();
    expect(out).toBe(s);
  });

  it('quotes with single quotes only', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe("''");
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow(ValidationError);
  });
});

describe('notebook command', () => {
  const parameters = {
    lr: 0.1,
    epochs: 5,
    ...Object.fromEntries(HOSTILE.map((s, i) => [`s${i}`, s])),
    nested: { 'key "q"': ['$(x)', null, true, 1.5e-7, 1e21, -0] },
    big: 2 ** 53 - 1
  };
  const spec = {
    workdir: "/home/jovyan/my project/it's here",
    input: '/home/jovyan/my project/.train$(id)-2024.ipynb',
    output: '/home/jovyan/my project/train `id`; output.ipynb',
    parameters
  };

  it('has the PrimeHub shape and keeps user values out of the shell line', () => {
    const cmd = buildNotebookCommand({ ...spec, workdir: '/w', input: '/w/in.ipynb', output: '/w/out.ipynb' });
    expect(cmd).toMatch(/^cd '\/w' && papermill '\/w\/in.ipynb' '\/w\/out.ipynb' -b '[A-Za-z0-9+/=]+' --log-output$/);
    for (const s of HOSTILE.filter(h => h.length > 2 && h !== '--log-output')) {
      expect(cmd).not.toContain(s);
    }
  });

  it('parses back to the same parts (round trip with hostile values)', () => {
    const parsed = parseNotebookCommand(buildNotebookCommand(spec));
    expect(parsed).toEqual({
      ...spec,
      parameters: { ...parameters, nested: { 'key "q"': ['$(x)', null, true, 1.5e-7, 1e21, 0] } }
    });
  });

  it('runs in a real shell with the paths intact', () => {
    requires(hasBash, 'bash');
    const cmd = buildNotebookCommand(spec);
    // replace the programs with printers so the shell shows what it would execute
    const script = `cd() { printf 'cd<%s>\\n' "$1"; }; papermill() { printf '<%s>\\n' "$@"; }; ${cmd}`;
    const out = execFileSync('bash', ['-c', script]).toString().split('\n');
    expect(out[0]).toBe(`cd<${spec.workdir}>`);
    expect(out[1]).toBe(`<${spec.input}>`);
    expect(out[2]).toBe(`<${spec.output}>`);
    expect(out[3]).toBe('<-b>');
    expect(decodeParameters(out[4].slice(1, -1))).toEqual(parseNotebookCommand(cmd).parameters);
    expect(out[5]).toBe('<--log-output>');
  });

  it('is read by PyYAML safe_load (what papermill -b does) with the same values and types', () => {
    requires(hasPyYaml, 'PyYAML in the project virtualenv (.venv)');
    const b64 = encodeParameters(parameters, { lr: 'float' });
    const py = [
      'import base64, json, sys, yaml',
      'v = yaml.safe_load(base64.b64decode(sys.argv[1]).decode())',
      'print(json.dumps({k: [type(x).__name__, x] for k, x in v.items()}))'
    ].join('\n');
    const out = JSON.parse(execFileSync(venvPython(), ['-c', py, b64]).toString());
    for (const [k, v] of Object.entries(parameters)) {
      expect([k, out[k][1]]).toEqual([k, k === 'nested' ? { 'key "q"': ['$(x)', null, true, 1.5e-7, 1e21, 0] } : v]);
    }
    expect(out.lr[0]).toBe('float');
    expect(out.epochs[0]).toBe('int');
    expect(out.big[0]).toBe('int');
    expect(out.s7[1]).toBe('unicode: héllo — 日本語 🚀');
  });

  it('writes floats PyYAML recognises (dot and signed exponent) and honours float types', () => {
    expect(parametersToYaml({ a: 1e-7, b: 1e21, c: 2.5, d: 3, e: -0 }, { d: 'float' })).toBe(
      '{"a": 1.0e-7, "b": 1000000000000000000000, "c": 2.5, "d": 3.0, "e": 0}'
    );
    expect(parametersToYaml({ e: -0 }, { e: 'float' })).toBe('{"e": -0.0}');
  });

  it('rejects values that YAML/JSON cannot carry', () => {
    expect(() => encodeParameters({ x: NaN })).toThrow(ValidationError);
    expect(() => encodeParameters({ x: Infinity })).toThrow(ValidationError);
    expect(() => encodeParameters({ x: new Date() })).toThrow(ValidationError);
    expect(() => buildNotebookCommand({ ...spec, parameters: { 'bad name': 1 } })).toThrow(/identifier/);
    expect(() => buildNotebookCommand({ ...spec, workdir: 'a\nb' })).toThrow(/line breaks/);
  });

  it('refuses commands of another shape', () => {
    expect(() => parseNotebookCommand('rm -rf /')).toThrow(ValidationError);
    expect(() => parseNotebookCommand('cd /x && papermill a.ipynb b.ipynb; rm -rf /')).toThrow(ValidationError);
    expect(() => parseNotebookCommand('cd "$HOME" && papermill a b')).toThrow(/expansions/);
    expect(() => parseNotebookCommand("cd /x && papermill a.ipynb b.ipynb -b '!!!'")).toThrow(/base64/);
  });

  it('parses the legacy unquoted form without parameters', () => {
    expect(parseNotebookCommand('cd /home/jovyan && papermill in.ipynb out.ipynb --log-output')).toEqual({
      workdir: '/home/jovyan',
      input: 'in.ipynb',
      output: 'out.ipynb',
      parameters: {}
    });
  });

  it('shellSplit handles mixed quoting', () => {
    expect(shellSplit(`a'b c'"d\\"e"\\ f && g`)).toEqual([{ word: 'ab cd"e f' }, { op: '&&' }, { word: 'g' }]);
  });
});
