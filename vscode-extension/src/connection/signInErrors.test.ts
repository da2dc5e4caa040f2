import { NetworkError, TimeoutError } from '@primehub-suite/client';
import { classifySignInError, unreachableReason } from './signInErrors';

/** A client network error over a Node cause, as undici reports one. */
function network(message: string, code?: string): NetworkError {
  const cause = Object.assign(new Error(message), code ? { code } : {});
  return new NetworkError('fetch failed', { cause });
}

describe('sign-in failures in words', () => {
  it('explains an HTTPS handshake against a plain-HTTP server, not OpenSSL', () => {
    const e = network(
      'C0E7F2A1:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:354:',
      'EPROTO'
    );
    const r = classifySignInError('https://127.0.0.1:8321/api/graphql', e);
    expect(r.problem).toBe('unreachable');
    expect(r.message).toBe(
      'Cannot reach https://127.0.0.1:8321/api/graphql: the secure (HTTPS) connection to 127.0.0.1:8321 failed. If this PrimeHub serves plain HTTP (as PrimeHub Local does), use an http:// URL.'
    );
    expect(r.message).not.toMatch(/ssl3|openssl|0A00010B/i);
  });

  it('names refused connections, unknown hosts and timeouts', () => {
    expect(
      unreachableReason('http://127.0.0.1:5000/api/graphql', network('connect ECONNREFUSED', 'ECONNREFUSED'))
    ).toBe(
      'nothing answers at 127.0.0.1:5000 (connection refused). Check the URL and port, and that PrimeHub is running.'
    );
    expect(
      unreachableReason('https://nohost.example:443/x', network('getaddrinfo ENOTFOUND nohost.example', 'ENOTFOUND'))
    ).toBe('the host name nohost.example is not known. Check the URL.');
    expect(unreachableReason('https://h.example/x', new TimeoutError('request timed out'))).toBe(
      'h.example did not answer in time.'
    );
  });
});
