/** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's own and never passed on by a proxy. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
]);

/**
 * The headers a reverse proxy of PrimeHub Local passes on: without the hop-by-hop ones (also those
 * the `connection` header names) and without `dropped` (lower-case names the proxy sets itself or
 * keeps back).
 */
export function forwardedHeaders(
  headers: Record<string, string | string[] | undefined>,
  dropped: ReadonlySet<string>
): Record<string, string | string[]> {
  const connection = headers.connection;
  const listed = new Set(
    typeof connection === 'string'
      ? connection
          .toLowerCase()
          .split(',')
          .map(t => t.trim())
      : []
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value !== undefined && !HOP_BY_HOP.has(key) && !dropped.has(key) && !listed.has(key)) {
      out[name] = value;
    }
  }
  return out;
}
