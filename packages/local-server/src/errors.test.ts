import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ApiError, ErrorCode, conflict, forbidden, invalidInput, missing, notAuth, notFound } from './errors';

/** Every non-test source file of the server. */
function sources(dir = __dirname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      return sources(path);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('errors', () => {
  test('the helpers carry PrimeHub codes, statuses and messages', () => {
    expect(notAuth()).toMatchObject({ message: 'user not auth', code: 'NOT_AUTH', status: 403 });
    expect(notFound('phjobs', 'j1')).toMatchObject({
      message: 'phjobs.primehub.io "j1" not found',
      code: 'RESOURCE_NOT_FOUND',
      status: 404
    });
    expect(missing()).toMatchObject({ message: '', code: 'RESOURCE_NOT_FOUND', status: 404 });
    expect(forbidden('request not authorized')).toMatchObject({ code: 'INTERNAL_ERROR', status: 403 });
    expect(invalidInput('too big', 413)).toMatchObject({ code: 'REQUEST_BODY_INVALID', status: 413 });
    expect(conflict('x')).toMatchObject({ code: 'RESOURCE_CONFLICT', status: 409 });
    expect(notAuth()).toBeInstanceOf(ApiError);
  });

  test('errors are made only by the helpers, and every code written in the source is one of ErrorCode', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    for (const file of sources()) {
      const name = relative(__dirname, file);
      const text = readFileSync(file, 'utf8');
      if (name !== 'errors.ts') {
        expect({ name, constructs: /new ApiError\(/.test(text) }).toEqual({ name, constructs: false });
      }
      // Codes given as string literals (`code: 'X'`, `ApiError(message, 'X', status)`), e.g. where a module
      // keeps its own strings, must still be PrimeHub's.
      for (const m of text.matchAll(/(?:\bcode: |ApiError\([^;]*?, )'([A-Z][A-Z_]+)'/g)) {
        expect({ name, code: m[1], known: codes.has(m[1]) }).toEqual({ name, code: m[1], known: true });
      }
    }
  });
});
