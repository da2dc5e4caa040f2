import { describeError, isCancel } from './describeError';
import {
  AuthError,
  ClientClosedError,
  FeatureUnavailableError,
  HttpError,
  NetworkError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TimeoutError,
  ValidationError
} from './errors';

describe('describeError', () => {
  it('asks to sign in again for a refused token', () => {
    expect(describeError('Listing jobs', new AuthError('Context creation failed: invalid token'))).toMatchObject({
      kind: 'auth',
      message: 'Listing jobs failed: PrimeHub rejected the API token (expired or revoked). Sign in again to continue.'
    });
  });

  it('never shows operation names or request URLs', () => {
    const gql = new NotFoundError('JobGet: job not found', {
      errors: [{ message: 'job not found', extensions: { code: 'RESOURCE_NOT_FOUND' } }]
    });
    expect(describeError('Opening the job', gql).message).toBe(
      'Opening the job failed: it is not on PrimeHub (deleted, or never there) — job not found.'
    );
    const rest = new NotFoundError('GET https://hub.example/proxy/api/files/groups/x/a.csv failed with HTTP 404', {
      status: 404
    });
    const d = describeError('Downloading a.csv', rest);
    expect(d).toMatchObject({
      kind: 'notFound',
      message: 'Downloading a.csv failed: it is not on PrimeHub (deleted, or never there).'
    });
    expect(d.detail).toContain('HTTP 404');
    const quota = new QuotaError('createPhJob: Group Cpu Quota exceeded');
    expect(describeError('Submitting the job', quota).message).toBe(
      'Submitting the job failed: Group Cpu Quota exceeded. Pick a smaller instance type or ask an admin.'
    );
  });

  it('says PrimeHub cannot be reached for network failures and timeouts', () => {
    expect(describeError('Listing jobs', new NetworkError('connect ECONNREFUSED 127.0.0.1:8321'))).toMatchObject({
      kind: 'network',
      message: 'Listing jobs failed: PrimeHub cannot be reached (connect ECONNREFUSED 127.0.0.1:8321).'
    });
    expect(describeError('Listing jobs', new TimeoutError('JobList timed out after 30000 ms'))).toMatchObject({
      kind: 'network',
      message: 'Listing jobs failed: PrimeHub did not answer in time.'
    });
  });

  it('names the input problem, the missing permission, the missing feature and the HTTP status', () => {
    expect(describeError('Submitting the job', new ValidationError('createPhJob: command is required'))).toMatchObject({
      kind: 'invalid',
      message: 'Submitting the job failed: command is required.'
    });
    expect(describeError('Deleting', new PermissionError('Not Authorised!')).kind).toBe('permission');
    expect(describeError('Listing models', new FeatureUnavailableError('ModelList: Cannot query field')).kind).toBe(
      'unavailable'
    );
    expect(
      describeError(
        'Uploading',
        new HttpError('PUT https://h/api/files/a failed with HTTP 502: Bad Gateway', { status: 502 })
      ).message
    ).toBe('Uploading failed: PrimeHub answered with an error (HTTP 502): Bad Gateway.');
  });

  it('treats cancels and a closed client as cancelled, and plain errors by their message', () => {
    expect(describeError('Uploading', new DOMException('aborted', 'AbortError')).kind).toBe('cancelled');
    expect(describeError('Uploading', new ClientClosedError('the client was closed')).kind).toBe('cancelled');
    expect(isCancel(Object.assign(new Error('Canceled'), { name: 'Canceled' }))).toBe(true);
    expect(isCancel(new Error('x'))).toBe(false);
    expect(describeError('Reading the notebook', new Error('Unexpected token } in JSON.'))).toEqual({
      kind: 'other',
      message: 'Reading the notebook failed: Unexpected token } in JSON.',
      detail: 'Unexpected token } in JSON.'
    });
  });
});
