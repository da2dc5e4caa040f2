import { attachment, downloadHeaders, isActiveType } from './downloadHeaders';

describe('download headers', () => {
  test('active types are attachments, always with nosniff; text, data and images stay viewable', () => {
    for (const name of ['page.html', 'page.htm', 'x.xhtml', 'pic.svg', 'feed.xml', 'app.js', 'app.mjs', 'a.xsl']) {
      const headers = downloadHeaders(name, 1, false);
      expect([name, headers['x-content-type-options'], headers['content-disposition']]).toEqual([
        name,
        'nosniff',
        attachment(name)
      ]);
    }
    for (const name of ['notes.txt', 'data.csv', 'x.json', 'pic.png', 'pic.jpg', 'nb.ipynb', 'Makefile', 'r.pdf']) {
      const headers = downloadHeaders(name, 1, false);
      expect([name, headers['x-content-type-options'], headers['content-disposition']]).toEqual([
        name,
        'nosniff',
        undefined
      ]);
    }
    expect(downloadHeaders('notes.txt', 5, true)).toEqual({
      'content-type': 'text/plain',
      'content-length': 5,
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`
    });
  });

  test('types with parameters or in upper case are recognised', () => {
    expect(isActiveType('Text/HTML; charset=utf-8')).toBe(true);
    expect(isActiveType('application/atom+xml')).toBe(true);
    expect(isActiveType('text/plain; charset=utf-8')).toBe(false);
  });

  test('the attachment name has an ASCII fallback and the exact name (RFC 5987)', () => {
    expect(attachment('a "b"\\ré.html')).toBe(
      `attachment; filename="a _b__r_.html"; filename*=UTF-8''a%20%22b%22%5Cr%C3%A9.html`
    );
  });
});
