import { AuthError, ClientClosedError, HttpError, NotFoundError, PrimeHubError, TimeoutError } from './errors';
import type { Job, Recurrence, RecurrenceType } from './types';

/**
 * Type-level checks (run by `tsc -p shared-client/tsconfig.test.json` in `npm run lint`): each
 * `@ts-expect-error` line must be an error, every other line must compile.
 */
describe('public types', () => {
  it('recurrence types are a union, not any string', () => {
    const daily: Recurrence = { type: 'daily', cron: null };
    // @ts-expect-error 'hourly' is not a recurrence type
    const hourly: Recurrence = { type: 'hourly', cron: null };
    const types: RecurrenceType[] = ['inactive', 'daily', 'weekly', 'monthly', 'custom'];
    expect([daily.type, hourly.type, types.length]).toEqual(['daily', 'hourly', 5]);
  });

  it('a Job carries activeDeadlineSeconds, logEndpoint and its artifact folder', () => {
    const fields: Array<keyof Job> = ['activeDeadlineSeconds', 'logEndpoint', 'artifact'];
    const job: Pick<Job, 'activeDeadlineSeconds' | 'logEndpoint' | 'artifact'> = {
      activeDeadlineSeconds: 600,
      logEndpoint: 'https://ph.example/api/logs/namespaces/hub/phjobs/job-1',
      artifact: { prefix: 'groups/phusers/jobArtifacts/job-1', items: [{ name: 'a.txt', size: 1, lastModified: null }] }
    };
    expect(Object.keys(job)).toEqual(fields);
  });

  it('each error class narrows code to its own value', () => {
    const notFound: 'NOT_FOUND' = new NotFoundError('x').code;
    const auth: 'AUTH_FAILED' = new AuthError('x').code;
    const timeout: 'TIMEOUT' = new TimeoutError('x').code;
    const closed: 'CLIENT_CLOSED' = new ClientClosedError('x').code;
    // @ts-expect-error an HttpError's code is HTTP_ERROR, never NOT_FOUND
    const wrong: 'NOT_FOUND' = new HttpError('x').code;
    const any: string = new PrimeHubError('x').code;
    expect([notFound, auth, timeout, closed, wrong, any]).toEqual([
      'NOT_FOUND',
      'AUTH_FAILED',
      'TIMEOUT',
      'CLIENT_CLOSED',
      'HTTP_ERROR',
      'PRIMEHUB_ERROR'
    ]);
  });
});
