import { CommandArgs, type CommandArgCheck, isObject, isString, isStringArray, isTrue } from './commandArgs';

class EntryNode {
  readonly kind = 'entry';
  constructor(readonly path: string) {}
}

class OtherNode {
  readonly kind = 'other';
}

/** Registers one command that echoes what its check accepted; returns how to run it and the log. */
function command(testMode: boolean, check: (args: CommandArgCheck, arg: unknown) => unknown) {
  const registered = new Map<string, (...args: unknown[]) => unknown>();
  const log: string[] = [];
  const commands = new CommandArgs(
    (id, fn) => {
      registered.set(id, fn);
      return { dispose: () => registered.delete(id) };
    },
    testMode,
    m => log.push(m)
  );
  commands.register('primehub.test', (args, arg) => check(args, arg));
  return { run: (...args: unknown[]) => registered.get('primehub.test')!(...args), log };
}

describe('CommandArgs', () => {
  it("accepts an instance of one of the view's node classes from any caller", () => {
    const { run, log } = command(false, (a, arg) => a.accept(arg, { nodes: [EntryNode, OtherNode] }));
    const node = new EntryNode('/keep.txt');
    expect(run(node)).toBe(node);
    expect(run(undefined)).toBeUndefined();
    expect(log).toEqual([]);
  });

  it('drops a look-alike object built by another extension, even with the same fields', () => {
    const { run, log } = command(false, (a, arg) => a.accept(arg, { nodes: [EntryNode] }));
    expect(run({ kind: 'entry', path: '/keep.txt' })).toBeUndefined();
    expect(run(Object.assign(Object.create(null) as object, { kind: 'entry' }))).toBeUndefined();
    expect(run(new OtherNode())).toBeUndefined();
    expect(log).toEqual([
      "primehub.test: ignored an argument (object) PrimeHub's own views did not give",
      "primehub.test: ignored an argument (object) PrimeHub's own views did not give",
      "primehub.test: ignored an argument (object) PrimeHub's own views did not give"
    ]);
  });

  it('drops programmatic arguments (ids, credentials, flags, folders) outside ExtensionMode.Test', () => {
    const { run, log } = command(false, (a, arg) => a.accept(arg, { inTests: isObject<{ token: string }> }));
    expect(run({ endpoint: 'http://evil.example', token: 'secret-token' })).toBeUndefined();
    const flag = command(false, (a, arg) => a.accept(arg, { inTests: isTrue }));
    expect(flag.run(true)).toBeUndefined();
    const folder = command(false, (a, arg) => a.accept(arg, { inTests: isString }));
    expect(folder.run('/tmp/spy')).toBeUndefined();
    // the log names the kind of argument, never its value (it may be a token)
    expect([...log, ...flag.log, ...folder.log].join('\n')).not.toMatch(/secret-token|evil|spy/);
  });

  it('honours programmatic arguments of the right shape in ExtensionMode.Test', () => {
    const ids = command(true, (a, arg) => a.accept(arg, { nodes: [EntryNode], inTests: isString }));
    expect(ids.run('job-1')).toBe('job-1');
    const node = new EntryNode('/');
    expect(ids.run(node)).toBe(node);
    expect(ids.run(42)).toBeUndefined();
    const paths = command(true, (a, arg) => a.accept(arg, { inTests: isStringArray }));
    expect(paths.run(['/a', '/b'])).toEqual(['/a', '/b']);
    expect(paths.run(['/a', 1])).toBeUndefined();
    const flag = command(true, (a, arg) => a.accept(arg, { inTests: isTrue }));
    expect(flag.run(true)).toBe(true);
    expect(flag.run('yes')).toBeUndefined();
  });
});
