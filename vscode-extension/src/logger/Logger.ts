import type { Logger as ClientLogger } from '@primehub-suite/client';

/** What the extension logs to (structurally a `vscode.LogOutputChannel`). */
export interface LogSink {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

/**
 * Component-prefixed logging into the one "PrimeHub" log channel. The client's own lines arrive
 * already redacted; the extension never passes a token here.
 */
export class Logger implements ClientLogger {
  constructor(
    private readonly sink: LogSink,
    private readonly component: string
  ) {}

  /** A logger for a sub-component, e.g. `log.child('jobs')` writes `[jobs] …`. */
  child(component: string): Logger {
    return new Logger(this.sink, component);
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.sink.debug(this.format(message, meta));
  }

  info(message: string, meta?: Record<string, unknown>): void {
    this.sink.info(this.format(message, meta));
  }

  warn(message: string, meta?: Record<string, unknown>): void {
    this.sink.warn(this.format(message, meta));
  }

  error(message: string, meta?: Record<string, unknown>): void {
    this.sink.error(this.format(message, meta));
  }

  private format(message: string, meta?: Record<string, unknown>): string {
    return `[${this.component}] ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`;
  }
}

/** A sink that drops everything (unit tests). */
export const NULL_SINK: LogSink = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
};
