/**
 * The VS Code Jobs view's listing against a real PrimeHub Local: the newest jobs up to the limit,
 * how many the group has in all, and "Load more" reaching the older ones.
 */
import type { PrimeHubClient } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, unique } from './support';
import type { ConnectionManager } from '../../vscode-extension/src/connection/ConnectionManager';
import { JobsManager } from '../../vscode-extension/src/jobs/JobsManager';
import { jobsCountText, JobsModel } from '../../vscode-extension/src/jobs/JobsModel';
import { Logger, NULL_SINK } from '../../vscode-extension/src/logger/Logger';

describe('VS Code Jobs view listing', () => {
  let server: LocalServerProcess;
  let client: PrimeHubClient;

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    client = await clientFor(server);
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  test('lists the newest 10 of 23, says so, and lists the rest on Load more', async () => {
    const name = unique('listed');
    for (let i = 0; i < 23; i++) {
      await client.jobs.submit({
        displayName: `${name}-${i}`,
        instanceType: 'cpu-1',
        image: 'base-notebook',
        command: 'true'
      });
    }
    // the manager's view of the connection: signed in, calls through the real client
    const connection = {
      state: 'signedIn',
      client,
      call: <T>(fn: (c: PrimeHubClient) => Promise<T>) => fn(client),
      noteError: () => undefined
    } as unknown as ConnectionManager;
    const model = new JobsModel();
    const jobs = new JobsManager(connection, model, new Logger(NULL_SINK, 'test'), { maxJobs: () => 10 });

    await jobs.refresh();
    expect(model.jobs.map(j => j.displayName)).toEqual(Array.from({ length: 10 }, (_, i) => `${name}-${22 - i}`));
    expect(model.extent).toEqual({ hasMore: true, total: 23 });
    expect(jobsCountText(model.jobs.length, model.extent)).toBe('newest 10 of 23');

    await jobs.loadMore();
    expect(model.jobs).toHaveLength(20);
    expect(model.extent).toEqual({ hasMore: true, total: 23 });
    await jobs.loadMore();
    expect(model.jobs).toHaveLength(23);
    expect(model.extent).toEqual({ hasMore: false, total: 23 });
    expect(jobsCountText(model.jobs.length, model.extent)).toBe('23 jobs');

    // another group or profile starts again from the newest
    jobs.resetListing();
    await jobs.refresh();
    expect(model.jobs).toHaveLength(10);
  });
});
