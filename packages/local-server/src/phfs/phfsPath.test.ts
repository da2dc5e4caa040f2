import { ApiError } from '../errors';
import { checkPrefix, segmentsFromUrl } from './phfsPath';

/** The error a refused path gives: a 400 with PrimeHub's REQUEST_BODY_INVALID code. */
function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected the path to be refused');
}

describe('segmentsFromUrl', () => {
  test.each([
    ['file.txt', ['file.txt']],
    ['dir/sub/file.csv', ['dir', 'sub', 'file.csv']],
    ['my%20file.txt', ['my file.txt']],
    ['caf%C3%A9/r%C3%A9sum%C3%A9.pdf', ['café', 'résumé.pdf']],
    ['100%25.txt', ['100%.txt']],
    ['a+b.txt', ['a+b.txt']],
    // Dots are only refused as whole "." or ".." segments.
    ['...', ['...']],
    ['..hidden', ['..hidden']],
    ['.env', ['.env']],
    ['dir/file..txt', ['dir', 'file..txt']],
    ['jobArtifacts/job-1/.metadata/expiredAt', ['jobArtifacts', 'job-1', '.metadata', 'expiredAt']],
    [`d/${'n'.repeat(255)}`, ['d', 'n'.repeat(255)]],
    // 85 three-byte characters: 255 bytes.
    ['%E2%82%AC'.repeat(85), ['€'.repeat(85)]]
  ])('accepts %s', (raw, segments) => {
    expect(segmentsFromUrl(raw)).toEqual(segments);
  });

  test.each([
    ['..', 'dot segment'],
    ['../etc/passwd', 'leading ..'],
    ['dir/../../etc/passwd', '.. in the middle'],
    ['dir/..', 'trailing ..'],
    ['.', 'single dot'],
    ['dir/./file', 'dot in the middle'],
    ['%2e%2e/etc/passwd', 'encoded dots (lower case)'],
    ['%2E%2E/etc/passwd', 'encoded dots (upper case)'],
    ['.%2e/etc/passwd', 'half-encoded dots'],
    ['%2e./etc/passwd', 'half-encoded dots, the other half'],
    ['%2e', 'encoded single dot'],
    ['dir%2f..%2f..%2fetc', 'encoded slash inside a segment'],
    ['..%2fetc%2fpasswd', '..%2f'],
    ['%2F..', 'upper-case encoded slash'],
    ['file%00.txt', 'encoded NUL'],
    ['%00', 'only NUL'],
    ['/etc/passwd', 'absolute path (empty first segment)'],
    ['dir//file', 'empty segment'],
    ['dir/', 'trailing slash'],
    ['..\\..\\etc\\passwd', 'backslash separators'],
    ['dir\\file', 'backslash inside a segment'],
    ['..%5c..%5cetc', 'encoded backslash'],
    ['%5C', 'upper-case encoded backslash'],
    ['bad%zzescape', 'malformed percent-encoding'],
    ['%E0%A4%A', 'truncated UTF-8 escape'],
    ['', 'empty path'],
    [`d/${'n'.repeat(256)}`, 'a 256-byte name (NAME_MAX is 255)'],
    ['%E2%82%AC'.repeat(86), 'a 258-byte name in 86 characters']
  ])('refuses %s (%s)', raw => {
    const err = refusal(() => segmentsFromUrl(raw));
    expect(err.status).toBe(400);
    expect(err.code).toBe('REQUEST_BODY_INVALID');
    expect(err.message).toMatch(/^invalid path: /);
  });

  test('decodes each segment exactly once', () => {
    // %252e%252e is the text "%2e%2e", a legal (if odd) file name: it is not decoded twice.
    expect(segmentsFromUrl('%252e%252e/x')).toEqual(['%2e%2e', 'x']);
  });
});

describe('checkPrefix', () => {
  test.each(['', '/', 'dir', '/dir', 'dir/', '/dir/', '/dir/sub', 'dir/sub/', '/jobArtifacts/job-1/', '/a..b/...'])(
    'accepts %j',
    prefix => {
      expect(checkPrefix(prefix)).toBe(prefix);
    }
  );

  test.each([
    '..',
    '/..',
    '../',
    '/../other',
    '/dir/../../etc',
    'dir/..',
    '/./dir',
    '//dir',
    '/dir//sub',
    'dir\\..\\..',
    '/dir/a\\b',
    '/dir/a\0b',
    `/dir/${'x'.repeat(256)}/`
  ])('refuses %j', prefix => {
    const err = refusal(() => checkPrefix(prefix));
    expect(err.status).toBe(400);
    expect(err.code).toBe('REQUEST_BODY_INVALID');
  });
});
