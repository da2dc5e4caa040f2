import { redact } from './redact';

/** Injectable logger; the client never writes to the console itself. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

const noop = (): void => undefined;

/** The default logger: discards everything. */
export const NOOP_LOGGER: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A full logger from a partial one: levels it lacks discard. Methods are bound to their object,
 * so a class instance (whose methods live on its prototype) keeps working.
 */
export function completeLogger(given: Partial<Logger> | undefined): Logger {
  const level = (name: keyof Logger): Logger[typeof name] => {
    const fn = given?.[name];
    return typeof fn === 'function' ? fn.bind(given) : noop;
  };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}

function redactMeta(
  meta: Record<string, unknown> | undefined,
  secrets: () => string[]
): Record<string, unknown> | undefined {
  if (!meta) {
    return undefined;
  }
  // Round-trip through JSON so nested values are redacted too; meta is small diagnostic data.
  let text: string;
  try {
    text = JSON.stringify(meta, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return { meta: '[unserialisable]' };
  }
  return JSON.parse(redact(text, secrets())) as Record<string, unknown>;
}

/** Wraps a logger so every line and meta value is redacted before it leaves the client. */
export function redactingLogger(inner: Logger, secrets: () => string[]): Logger {
  const wrap = (level: keyof Logger): Logger[typeof level] => {
    // a discarded level (the default) costs nothing: no redaction on every request
    if (inner[level] === noop) {
      return noop;
    }
    return (message: string, meta?: Record<string, unknown>): void => {
      try {
        inner[level](redact(message, secrets()), redactMeta(meta, secrets));
      } catch {
        // a broken logger must never break a request
      }
    };
  };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
