import { redact, redactHeaders } from './redact';

describe('redact', () => {
  it.each([
    ['authorization: Bearer abc.def-ghi', 'authorization: Bearer [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
    ['GET /x?token=abc&follow=true', 'GET /x?token=[REDACTED]&follow=true'],
    ['GET /x?follow=1&access_token=zzz', 'GET /x?follow=1&access_token=[REDACTED]'],
    ['{"api-token": "s3cr3t", "endpoint": "e"}', '{"api-token": "[REDACTED]", "endpoint": "e"}'],
    ['{"plainTextToken":"abc"}', '{"plainTextToken":"[REDACTED]"}'],
    ['https://user:pass@host/path', 'https://user:[REDACTED]@host/path']
  ])('%s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  it('masks configured secrets verbatim and URL-encoded', () => {
    expect(redact('tok a+b/c and tok a%2Bb%2Fc', ['a+b/c'])).toBe('tok [REDACTED] and tok [REDACTED]');
  });

  it('ignores tiny secrets to avoid masking everything', () => {
    expect(redact('abc', ['a'])).toBe('abc');
  });

  it('masks credential headers', () => {
    expect(redactHeaders({ authorization: 'Bearer x', accept: 'application/json' })).toEqual({
      authorization: '[REDACTED]',
      accept: 'application/json'
    });
  });
});
