import { type ApiError, invalidInput } from '../errors';

const badPath = (why: string): ApiError => invalidInput(`invalid path: ${why}`);

/** The longest file or folder name the filesystem takes (NAME_MAX), in bytes. */
const MAX_NAME_BYTES = 255;

/** Checks one decoded path segment: no traversal, separators, NUL bytes or over-long names. */
function checkSegment(seg: string): void {
  if (Buffer.byteLength(seg) > MAX_NAME_BYTES) {
    throw badPath(`"${seg.slice(0, 32)}…" is longer than ${MAX_NAME_BYTES} bytes`);
  }
  if (seg === '.' || seg === '..') {
    throw badPath('"." and ".." segments are not allowed');
  }
  if (seg.includes('\0')) {
    throw badPath('NUL bytes are not allowed');
  }
  if (seg.includes('/') || seg.includes('\\')) {
    throw badPath('encoded separators are not allowed');
  }
}

/**
 * Splits the raw (still percent-encoded) remainder of a PHFS URL into safe segments.
 * Each segment is decoded once and checked, so `..`, `%2e%2e`, `%2f`, `%00`, absolute
 * paths (`//etc`) and empty segments are all refused before anything touches the disk.
 */
export function segmentsFromUrl(raw: string): string[] {
  if (raw === '') {
    throw badPath('a file path is required');
  }
  return raw.split('/').map(part => {
    if (part === '') {
      throw badPath('empty or absolute path segments are not allowed');
    }
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      throw badPath('malformed percent-encoding');
    }
    checkSegment(seg);
    return seg;
  });
}

/**
 * A PHFS prefix from GraphQL (`/dir/sub`, `dir/`, `''`): a leading and a trailing slash are
 * allowed, anything that could leave the group's storage is not.
 */
export function checkPrefix(prefix: string): string {
  const inner = prefix.replace(/^\//, '').replace(/\/$/, '');
  if (inner !== '') {
    for (const seg of inner.split('/')) {
      if (seg === '') {
        throw badPath('empty path segments are not allowed');
      }
      checkSegment(seg);
    }
  }
  return prefix;
}
