/** The server's one logger: leveled lines on stderr. Callers never pass tokens to it. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = l => process.stderr.write(l)
): Logger {
  const min = LEVELS.indexOf(level);
  const at =
    (l: LogLevel) =>
    (message: string): void => {
      if (LEVELS.indexOf(l) >= min) {
        write(`${new Date().toISOString()} ${l.toUpperCase()} ${message}\n`);
      }
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
