import { lookup } from 'mime-types';

/**
 * Types a browser runs or renders with script when opened from PrimeHub Local's origin: HTML, SVG, any XML
 * (XSLT, XHTML), JavaScript. A file a job or another member wrote must never run as a page of the API's origin,
 * where it could call the API with the viewer's session.
 */
const ACTIVE_TYPE =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/xsl|application\/[\w.-]+\+xml|(application|text)\/(x-)?(javascript|ecmascript)|application\/x-shockwave-flash)$/;

/** Whether a Content-Type is one a browser would run (see {@link ACTIVE_TYPE}). */
export function isActiveType(type: string): boolean {
  return ACTIVE_TYPE.test(type.split(';')[0].trim().toLowerCase());
}

/** `attachment` with an ASCII fallback name and the exact name as RFC 5987 `filename*`. */
export function attachment(name: string): string {
  return `attachment; filename="${name.replace(/[^\x20-\x7e]|"|\\/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The headers of a PHFS download (job artifacts included): the type from the extension, never sniffed; an
 * attachment when asked (`?download=1`) and always for active types, which then cannot run in the browser.
 * Plain text, data and images stay viewable.
 */
export function downloadHeaders(name: string, size: number, asAttachment: boolean): Record<string, string | number> {
  const type = lookup(name) || 'application/octet-stream';
  return {
    'content-type': type,
    'content-length': size,
    'x-content-type-options': 'nosniff',
    ...(asAttachment || isActiveType(type) ? { 'content-disposition': attachment(name) } : {})
  };
}
