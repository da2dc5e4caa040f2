/**
 * A class whose instances PrimeHub's own views hand to commands (tree nodes, `vscode.Uri`), by
 * its prototype: `vscode.Uri`'s constructor is private.
 */
export interface UiClass {
  readonly prototype: object;
}

/** What registering a command returns (structurally a `vscode.Disposable`). */
export interface Registration {
  dispose(): unknown;
}

/** `vscode.commands.registerCommand`, passed in so that this module runs without VS Code. */
export type RegisterCommand = (id: string, fn: (...args: unknown[]) => unknown) => Registration;

/** What one argument of a command may be. */
export interface ArgRule<C extends UiClass, U> {
  /** Accepted from anyone: instances of these classes, which only PrimeHub's own views and menus give. */
  nodes?: readonly C[];
  /** Accepted only in ExtensionMode.Test (the integration tests): ids, credentials, specs, folders, flags. */
  inTests?: (x: unknown) => x is U;
}

/**
 * The one check on what a `primehub.*` command is called with. VS Code does not tell a command
 * who called it, and any installed extension may call it with arguments of its choosing. So a
 * command honours only what PrimeHub's own UI gives it (instances of its own classes, which
 * another extension cannot build), and programmatic arguments only in ExtensionMode.Test. Anything
 * else is dropped: the command runs as if called with no argument, so it asks the user.
 */
export class CommandArgs {
  /**
   * @param testMode whether the extension runs in ExtensionMode.Test
   * @param log where a dropped argument is noted (never its value: it may be a token)
   */
  constructor(
    private readonly registerCommand: RegisterCommand,
    private readonly testMode: boolean,
    private readonly log: (message: string) => void
  ) {}

  /** Registers the command `id`: `fn` gets the checks for its arguments, then the arguments as given. */
  register(id: string, fn: (args: CommandArgCheck, ...given: unknown[]) => unknown): Registration {
    return this.registerCommand(id, (...given) => fn(new CommandArgCheck(id, this.testMode, this.log), ...given));
  }
}

/** The checks for one command's arguments; see {@link CommandArgs}. */
export class CommandArgCheck {
  constructor(
    private readonly command: string,
    private readonly testMode: boolean,
    private readonly log: (message: string) => void
  ) {}

  /** `arg` when `rule` accepts it, else undefined (as if the command was given no argument). */
  accept<C extends UiClass = never, U = never>(arg: unknown, rule: ArgRule<C, U>): C['prototype'] | U | undefined {
    if (arg === undefined) {
      return undefined;
    }
    // what `instanceof` checks: our prototype in its chain, which another extension cannot reach
    if (rule.nodes?.some(c => Object.prototype.isPrototypeOf.call(c.prototype, arg as object))) {
      return arg as C['prototype'];
    }
    if (this.testMode && rule.inTests?.(arg)) {
      return arg;
    }
    this.log(`${this.command}: ignored an argument (${describe(arg)}) PrimeHub's own views did not give`);
    return undefined;
  }
}

/** A string. */
export function isString(x: unknown): x is string {
  return typeof x === 'string';
}

/** `true` (a skip-confirmation flag). */
export function isTrue(x: unknown): x is true {
  return x === true;
}

/**
 * An object, taken to be a `T` (a spec, credentials, options): only the integration tests' own
 * calls get this far, so its shape is theirs to get right.
 */
export function isObject<T extends object>(x: unknown): x is T {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Strings only (local paths). */
export function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every(isString);
}

// no property of `arg` is read: it may be another extension's object with getters
function describe(arg: unknown): string {
  return arg === null ? 'null' : Array.isArray(arg) ? 'array' : typeof arg;
}
