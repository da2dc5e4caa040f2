import { LocalServerProcess } from '../../../test/kit/localServer';
import { TestHub, when } from '../testing/TestHub';
import { JobsListModel, PAGE_SIZE } from './JobsListModel';

const JOBS = 13;
let server: LocalServerProcess;
let hub: TestHub;
let model: JobsListModel;

beforeAll(async () => {
  server = await LocalServerProcess.start();
  hub = new TestHub(server.endpoint, server.token, server.groupName);
  for (let i = 0; i < JOBS; i++) {
    await hub.client.jobs.submit({
      displayName: i === 0 ? 'needle' : `job-${i}`,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'true'
    });
  }
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await server?.dispose();
});

afterEach(() => model?.dispose());

it('counts every job from the first answer, though only the first page is in view', async () => {
  model = new JobsListModel(hub);
  model.active = true;
  model.start();
  await when(model.changed, () => model.loaded);
  // 13 jobs are two pages: the last one is fetched too, so the count is exact before scrolling.
  expect(model.total).toBe(JOBS);
  expect(model.jobAt(0)?.displayName).toBe(`job-${JOBS - 1}`);
  expect(model.jobAt(PAGE_SIZE)).toBeDefined();
  expect(model.jobAt(JOBS - 1)?.displayName).toBe('needle');
  expect(model.error).toBe('');
});

it('starts over for a new filter and drops what the old one listed', async () => {
  model = new JobsListModel(hub);
  model.active = true;
  model.start();
  await when(model.changed, () => model.loaded);
  model.filter = { mine: false, search: 'needle' };
  expect(model.loaded).toBe(false);
  expect(model.total).toBe(0);
  await when(model.changed, () => model.loaded);
  expect(model.total).toBe(1);
  expect(model.jobAt(0)?.displayName).toBe('needle');
});

it('does not poll while no view shows it, and polls at once when shown again', async () => {
  model = new JobsListModel(hub);
  model.active = false;
  model.start();
  // Three ticks of the poll (1 s apart) in standby: no request.
  const before = hub.requests.length;
  let ticks = 0;
  model.poll.ticked.connect(() => void ticks++);
  await when(model.poll.ticked, () => ticks >= 3, 20_000);
  expect(hub.requests.slice(before)).toEqual([]);
  expect(model.poll.state.phase).toBe('standby');
  model.active = true;
  await when(model.changed, () => model.loaded);
  expect(hub.requests.slice(before)).toContain('JobList');
});

it('says why listing failed in a sentence, and backs off', async () => {
  const down = new TestHub('http://127.0.0.1:9/api/graphql', 'x', server.groupName);
  model = new JobsListModel(down);
  model.active = true;
  model.start();
  await when(model.changed, () => model.error !== '');
  expect(model.error).toMatch(/^Listing jobs failed: PrimeHub cannot be reached/);
  expect(model.error).not.toMatch(/JobList|graphql|HTTP/);
  const intervals: number[] = [];
  model.poll.ticked.connect((_, state) => void intervals.push(state.interval));
  await when(model.poll.ticked, () => intervals.filter(i => i > 1000).length >= 2, 30_000);
  // Failures back off: the waits leave the 1 s interval and stay within the poll's maximum. Lumino draws each one
  // at random between the interval and 3 × the last, so a wait may be shorter than the one before it.
  const max = model.poll.frequency.max;
  expect(intervals.filter(i => i > 1000).length).toBeGreaterThanOrEqual(2);
  expect(intervals.every(i => i <= max)).toBe(true);
});
