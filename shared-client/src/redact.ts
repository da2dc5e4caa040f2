/**
 * Token redaction for every message, error and log line the client produces.
 * Covers Bearer tokens, HTTP Basic credentials, `token=`-style query parameters,
 * `"api-token"` JSON fields and any configured secret string verbatim.
 */

const MASK = '[REDACTED]';

const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer\s+)[A-Za-z0-9\-._~+/=]+/gi, `$1${MASK}`],
  [/(Basic\s+)[A-Za-z0-9+/=]+/gi, `$1${MASK}`],
  // query parameters whose names say they hold a secret
  [/([?&;](?:[\w-]*token|api[-_]?key|password|secret|access_token|client_secret)=)[^&#\s"']*/gi, `$1${MASK}`],
  // "api-token": "…" (SDK config), "plainTextToken": "…" (deployment clients)
  [/("(?:api-token|token|plainTextToken|password|authorization)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi, `$1${MASK}$3`],
  // credentials embedded in URLs: scheme://user:pass@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@/\s]+(@)/gi, `$1${MASK}$2`]
];

/** Minimum length for a configured secret to be redacted verbatim (avoid masking 'a'). */
const MIN_SECRET_LENGTH = 4;

/**
 * Returns `text` with credentials masked.
 * @param secrets extra literal strings to mask (the configured token, client tokens…)
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) {
      out = out.split(secret).join(MASK);
      // the same secret URL-encoded (e.g. in a query string)
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) {
        out = out.split(encoded).join(MASK);
      }
    }
  }
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/** Redacts a URL's credential-bearing parts (user info and secret query parameters). */
export function redactUrl(url: string, secrets: ReadonlyArray<string | undefined> = []): string {
  return redact(url, secrets);
}

/** Returns a copy of headers with credential headers masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|proxy-authorization|cookie|x-api-key)$/i.test(k) ? MASK : v;
  }
  return out;
}

/** The mask string used in place of secrets. */
export const REDACTED = MASK;
