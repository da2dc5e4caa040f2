import { AuthError, NetworkError, QuotaError, TimeoutError, ValidationError } from '@primehub-suite/client';
import { describeError, isCancel } from './describeError';

describe('describeError', () => {
  it('offers "sign in again" for auth failures', () => {
    expect(describeError('Listing jobs', new AuthError('Context creation failed: invalid token'))).toMatchObject({
      actions: ['signInAgain'],
      message: expect.stringMatching(/^Listing jobs failed: PrimeHub rejected the API token/)
    });
  });

  it('offers "retry" for network failures and timeouts', () => {
    expect(describeError('Listing jobs', new NetworkError('ECONNREFUSED')).actions).toContain('retry');
    expect(describeError('Listing jobs', new TimeoutError('slow')).actions).toContain('retry');
  });

  it('names the quota', () => {
    const d = describeError('Submitting the job', new QuotaError('createPhJob: Group Cpu Quota exceeded'));
    expect(d.message).toBe(
      'Submitting the job failed: Group Cpu Quota exceeded. Pick a smaller instance type or ask an admin.'
    );
  });

  it('shows validation problems as warnings', () => {
    expect(describeError('Submitting the job', new ValidationError('command is required'))).toMatchObject({
      warning: true,
      message: 'Submitting the job failed: command is required.'
    });
  });

  it('recognises cancels', () => {
    expect(isCancel(new DOMException('aborted', 'AbortError'))).toBe(true);
    expect(isCancel(new Error('x'))).toBe(false);
  });
});
