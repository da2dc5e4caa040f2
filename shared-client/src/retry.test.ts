import { AuthError, HttpError, NetworkError, NotFoundError, TimeoutError, ValidationError } from './errors';
import { backoffDelay, isRetryable, retryPolicy, sleep, withRetry } from './retry';

describe('retry policy', () => {
  it('backs off exponentially with jitter inside [d/2, d) and a cap', () => {
    const low = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
    expect([0, 1, 2, 3, 4, 5].map(a => backoffDelay(a, low))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 5].map(a => backoffDelay(a, high))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('defaults to 3 retries from 250 ms; false disables', () => {
    expect(retryPolicy(undefined)).toMatchObject({ retries: 3, baseDelayMs: 250, maxDelayMs: 8000 });
    expect(retryPolicy(false).retries).toBe(0);
  });

  it.each([
    [new NetworkError('reset'), true],
    [new TimeoutError('slow'), true],
    [new HttpError('bad gateway', { status: 502 }), true],
    [new HttpError('slow down', { status: 429 }), true],
    [new HttpError('teapot', { status: 418 }), false],
    [new AuthError('Context creation failed: x', { status: 500 }), false],
    [new NotFoundError('gone', { status: 404 }), false],
    [new ValidationError('bad'), false],
    [new DOMException('aborted', 'AbortError'), false],
    [new Error('plain'), false]
  ])('isRetryable(%s) = %s', (err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });

  it('retries idempotent calls only, up to the limit', async () => {
    const policy = retryPolicy({ retries: 2, baseDelayMs: 1 });
    let n = 0;
    const failing = async (): Promise<never> => {
      n++;
      throw new NetworkError('down');
    };
    await expect(withRetry(failing, { idempotent: true, policy, what: 'x' })).rejects.toBeInstanceOf(NetworkError);
    expect(n).toBe(3);
    n = 0;
    await expect(withRetry(failing, { idempotent: false, policy, what: 'x' })).rejects.toBeInstanceOf(NetworkError);
    expect(n).toBe(1);
  });

  it('sleep rejects with the abort reason', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
  });
});
