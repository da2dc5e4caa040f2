import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { LocalServerProcess } from '../kit/localServer';
import { waitFor } from '../kit/wait';
import { getJob, gql, gqlOk, waitForJob, type GqlResponse } from '../kit/http';

const SCHED = `id displayName recurrence { type cron } invalid message command groupId groupName image
  instanceType { id name displayName cpuLimit memoryLimit gpuLimit } userId userName nextRunTime activeDeadlineSeconds createTime updateTime`;
const CREATE = `mutation ($data: PhScheduleCreateInput!) { createPhSchedule(data: $data) { ${SCHED} } }`;
const UPDATE = `mutation ($data: PhScheduleUpdateInput!, $where: PhScheduleWhereUniqueInput!) { updatePhSchedule(data: $data, where: $where) { ${SCHED} } }`;
const GET = `query ($where: PhScheduleWhereUniqueInput!) { phSchedule(where: $where) { ${SCHED} } }`;
const DELETE = `mutation ($where: PhScheduleWhereUniqueInput!) { deletePhSchedule(where: $where) { id } }`;
const RUN = `mutation ($where: PhScheduleWhereUniqueInput!) { runPhSchedule(where: $where) { job { id displayName } } }`;
const PAGE = `query ($where: PhScheduleWhereInput, $page: Int, $orderBy: PhScheduleOrderByInput) {
  phSchedulesConnection(where: $where, page: $page, orderBy: $orderBy) { pageInfo { totalPage currentPage } edges { cursor node { id displayName } } } }`;
const CURSOR = `query ($where: PhScheduleWhereInput, $first: Int, $after: String, $last: Int, $before: String) {
  phSchedulesConnection(where: $where, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id displayName } } } }`;
const LIST = `query ($where: PhScheduleWhereInput, $page: Int) { phSchedules(where: $where, page: $page) { id displayName } }`;

type Schedule = {
  id: string;
  displayName: string;
  recurrence: { type: string; cron: string };
  invalid: boolean;
  message: string | null;
  command: string;
  groupId: string;
  groupName: string;
  image: string;
  instanceType: { name: string };
  userName: string;
  nextRunTime: string | null;
  activeDeadlineSeconds: number | null;
  createTime: string;
  updateTime: string;
};

/** The cron's next time after `before` or after `after` (the server computed it somewhere in between). */
function expectedNextRuns(cron: string, before: Date, after: Date): string[] {
  const c = new Cron(cron, { paused: true });
  return [c.nextRun(before)!.toISOString(), c.nextRun(after)!.toISOString()];
}

function errorOf(res: GqlResponse): { message: string; code: string } {
  expect(res.status).toBe(200);
  expect(res.body.errors).toHaveLength(1);
  const [e] = res.body.errors!;
  return { message: e.message, code: e.extensions.code };
}

describe('PrimeHub Local recurring jobs (PhSchedule)', () => {
  let server: LocalServerProcess;
  let pagerToken: string;
  let pagingGroupId: string;
  // Created first, so the minute it waits for passes while the other tests run.
  let everyMinute: Schedule;
  let everyMinuteCreated: { before: Date; after: Date };

  beforeAll(async () => {
    server = await LocalServerProcess.start();
    const before = new Date();
    everyMinute = (
      await gqlOk(server.endpoint, server.token, CREATE, {
        data: {
          displayName: `every-minute-${randomBytes(3).toString('hex')}`,
          groupId: server.groupId,
          instanceType: 'cpu-1',
          image: 'base-notebook',
          command: 'echo "tick from $PHJOB_NAME"',
          recurrence: { type: 'custom', cron: '* * * * *' }
        }
      })
    ).createPhSchedule;
    everyMinuteCreated = { before, after: new Date() };

    // Another group with its own member, for paging and permission checks.
    server.cli('group', 'add', 'paging');
    server.cli('user', 'add', 'pager', '--group', 'paging');
    pagerToken = server.cli('token', '--user', 'pager');
    const me = await gqlOk(server.endpoint, pagerToken, '{ me { effectiveGroups { id name } } }');
    pagingGroupId = me.me.effectiveGroups.find((g: { name: string }) => g.name === 'paging').id;
  });

  afterAll(async () => {
    await server.dispose();
  });

  const template = (overrides: Record<string, unknown> = {}) => ({
    displayName: 'recurring-job-example',
    groupId: server.groupId,
    instanceType: 'cpu-1',
    image: 'base-notebook',
    command: "echo 'good job'",
    ...overrides
  });
  const create = async (overrides: Record<string, unknown> = {}, token = server.token): Promise<Schedule> =>
    (await gqlOk(server.endpoint, token, CREATE, { data: template(overrides) })).createPhSchedule;
  const get = async (id: string): Promise<Schedule> =>
    (await gqlOk(server.endpoint, server.token, GET, { where: { id } })).phSchedule;

  test.each([
    ['daily', '0 4 * * *'],
    ['weekly', '0 4 * * 1'],
    ['monthly', '0 4 1 * *']
  ])('%s uses the preset cron %s and the next run it gives', async (type, cron) => {
    // The SDK sends the preset's cron along; the web UI may send only the type.
    for (const recurrence of [{ type }, { type, cron }, { type, cron: '*/5 * * * *' }]) {
      const before = new Date();
      const s = await create({ displayName: `preset-${type}`, recurrence });
      const after = new Date();
      expect(s.recurrence).toEqual({ type, cron });
      expect(s.invalid).toBe(false);
      expect(s.message).toBeNull();
      expect(expectedNextRuns(cron, before, after)).toContain(s.nextRunTime);
      expect(Date.parse(s.nextRunTime!)).toBeGreaterThan(before.getTime());
    }
  });

  test('inactive (on demand) has an empty cron and no next run; it is the default', async () => {
    const inactive = await create({ recurrence: { type: 'inactive', cron: '' } });
    expect(inactive.recurrence).toEqual({ type: 'inactive', cron: '' });
    expect(inactive.nextRunTime).toBeNull();
    expect(inactive.invalid).toBe(false);
    const implicit = await create({});
    expect(implicit.recurrence).toEqual({ type: 'inactive', cron: '' });
    expect(implicit.nextRunTime).toBeNull();
  });

  test('a schedule echoes its template, owner and group', async () => {
    const before = Date.now();
    const s = await create({
      displayName: 'full',
      command: 'echo a\necho b',
      activeDeadlineSeconds: 900,
      recurrence: { type: 'custom', cron: '30 2 * * 0' }
    });
    expect(s).toMatchObject({
      id: expect.stringMatching(/^recurrence-[a-z0-9]{6}$/),
      displayName: 'full',
      command: 'echo a\necho b',
      groupId: server.groupId,
      groupName: server.groupName,
      image: 'base-notebook',
      instanceType: { name: 'cpu-1' },
      userName: 'phuser',
      activeDeadlineSeconds: 900,
      recurrence: { type: 'custom', cron: '30 2 * * 0' },
      invalid: false,
      message: null
    });
    expect(Date.parse(s.createTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(s.updateTime).toBe(s.createTime);
    expect(await get(s.id)).toEqual(s);
  });

  test.each([['61 * * * *'], ['not a cron'], ['* * *'], ['0 4 * * * *'], ['*/0 * * * *'], [''], ['0 0 30 2 *']])(
    'custom with the bad cron %j is created invalid, with a message and no next run',
    async cron => {
      const s = await create({ displayName: 'bad-cron', recurrence: { type: 'custom', cron } });
      expect(s.recurrence).toEqual({ type: 'custom', cron });
      expect(s.invalid).toBe(true);
      expect(s.message).toEqual(expect.stringContaining('cron'));
      expect(s.nextRunTime).toBeNull();
      expect(await get(s.id)).toMatchObject({ invalid: true, message: s.message, nextRunTime: null });
    }
  );

  test('an unknown recurrence type is refused and nothing is created', async () => {
    const count = async () =>
      (
        await gqlOk(server.endpoint, server.token, PAGE, {
          where: { groupId_in: [server.groupId], search: 'unknown-type' },
          page: 1
        })
      ).phSchedulesConnection.edges.length;
    for (const recurrence of [{ type: 'hourly' }, { type: 'on-demand' }, { type: '' }, { cron: '* * * * *' }]) {
      const res = await gql(server.endpoint, server.token, CREATE, {
        data: template({ displayName: 'unknown-type', recurrence })
      });
      const err = errorOf(res);
      expect(err.code).toBe('REQUEST_BODY_INVALID');
      expect(err.message).toMatch(/recurrence type/);
      expect(res.body.data).toBeNull();
    }
    expect(await count()).toBe(0);
  });

  test('runPhSchedule creates a job at once from the template, with its activeDeadlineSeconds', async () => {
    const s = await create({
      displayName: 'run-now',
      command: 'echo "manual run of $PHJOB_NAME"',
      activeDeadlineSeconds: 321
    });
    const res = await gqlOk(server.endpoint, server.token, RUN, { where: { id: s.id } });
    const { id, displayName } = res.runPhSchedule.job;
    expect(displayName).toBe('run-now');
    expect(id).toMatch(/^job-\d{12}-[a-z0-9]{6}$/);
    const job = await getJob(server.endpoint, server.token, id);
    expect(job).toMatchObject({
      displayName: 'run-now',
      groupId: server.groupId,
      userName: 'phuser',
      activeDeadlineSeconds: 321
    });
    // As on PrimeHub, a manual run is a normal job: only the runs the schedule fires carry its id.
    expect(job.schedule).toBeNull();
    const done = await waitForJob(server.endpoint, server.token, id);
    expect(done.phase).toBe('Succeeded');
    // Each run is a new job; the schedule itself is unchanged.
    const again = await gqlOk(server.endpoint, server.token, RUN, { where: { id: s.id } });
    expect(again.runPhSchedule.job.id).not.toBe(id);
    expect(await get(s.id)).toEqual(s);
  });

  test('updatePhSchedule is a partial patch', async () => {
    const s = await create({
      displayName: 'patch-me',
      command: 'echo one',
      activeDeadlineSeconds: 600,
      recurrence: { type: 'daily', cron: '0 4 * * *' }
    });
    const update = async (data: Record<string, unknown>): Promise<Schedule> =>
      (await gqlOk(server.endpoint, server.token, UPDATE, { where: { id: s.id }, data })).updatePhSchedule;

    const renamed = await update({ displayName: 'patched' });
    expect(renamed).toEqual({ ...s, displayName: 'patched', updateTime: renamed.updateTime });
    expect(Date.parse(renamed.updateTime)).toBeGreaterThanOrEqual(Date.parse(s.updateTime));
    expect(renamed.createTime).toBe(s.createTime);

    // The SDK always adds groupId.
    const recommanded = await update({ command: 'echo two', groupId: server.groupId });
    expect(recommanded).toMatchObject({
      displayName: 'patched',
      command: 'echo two',
      activeDeadlineSeconds: 600,
      recurrence: { type: 'daily', cron: '0 4 * * *' }
    });

    const before = new Date();
    const weekly = await update({ recurrence: { type: 'weekly' } });
    const after = new Date();
    expect(weekly).toMatchObject({
      displayName: 'patched',
      command: 'echo two',
      recurrence: { type: 'weekly', cron: '0 4 * * 1' },
      invalid: false
    });
    expect(expectedNextRuns('0 4 * * 1', before, after)).toContain(weekly.nextRunTime);

    const broken = await update({ recurrence: { type: 'custom', cron: '99 * * * *' } });
    expect(broken).toMatchObject({ invalid: true, nextRunTime: null, displayName: 'patched' });
    expect(broken.message).toEqual(expect.stringContaining('cron'));
    const fixed = await update({ recurrence: { type: 'custom', cron: '15 3 * * *' } });
    expect(fixed).toMatchObject({ invalid: false, message: null, recurrence: { type: 'custom', cron: '15 3 * * *' } });
    expect(fixed.nextRunTime).not.toBeNull();
    const off = await update({ recurrence: { type: 'inactive', cron: '' } });
    expect(off).toMatchObject({ recurrence: { type: 'inactive', cron: '' }, nextRunTime: null });

    const other = await update({ activeDeadlineSeconds: 1200, instanceType: 'cpu-2', image: 'pytorch-1' });
    expect(other).toMatchObject({
      activeDeadlineSeconds: 1200,
      instanceType: { name: 'cpu-2' },
      image: 'pytorch-1',
      command: 'echo two',
      displayName: 'patched'
    });
    expect(await get(s.id)).toEqual(other);

    // Invalid values in a patch are refused and change nothing.
    const bad = await gql(server.endpoint, server.token, UPDATE, {
      where: { id: s.id },
      data: { recurrence: { type: 'fortnightly' } }
    });
    expect(errorOf(bad).code).toBe('REQUEST_BODY_INVALID');
    expect(await get(s.id)).toEqual(other);
  });

  test('deletePhSchedule removes it; unknown ids are RESOURCE_NOT_FOUND with the Kubernetes message', async () => {
    const s = await create({ displayName: 'delete-me' });
    const res = await gqlOk(server.endpoint, server.token, DELETE, { where: { id: s.id } });
    expect(res.deletePhSchedule).toEqual({ id: s.id });

    for (const id of [s.id, 'recurrence-nosuch']) {
      const expected = { message: `phschedules.primehub.io "${id}" not found`, code: 'RESOURCE_NOT_FOUND' };
      expect(errorOf(await gql(server.endpoint, server.token, GET, { where: { id } }))).toEqual(expected);
      expect(errorOf(await gql(server.endpoint, server.token, DELETE, { where: { id } }))).toEqual(expected);
      expect(errorOf(await gql(server.endpoint, server.token, RUN, { where: { id } }))).toEqual(expected);
      expect(
        errorOf(await gql(server.endpoint, server.token, UPDATE, { where: { id }, data: { displayName: 'x' } }))
      ).toEqual(expected);
    }
    const listed = await gqlOk(server.endpoint, server.token, LIST, { where: { id: s.id } });
    expect(listed.phSchedules).toEqual([]);
  });

  test('lists page by 10 (numbered) or by cursor, most recently updated first', async () => {
    const created: Schedule[] = [];
    for (let i = 1; i <= 12; i++) {
      created.push(
        await create({ displayName: `paged-${String(i).padStart(2, '0')}`, groupId: pagingGroupId }, pagerToken)
      );
    }
    // Touching one moves it to the front.
    await gqlOk(server.endpoint, pagerToken, UPDATE, {
      where: { id: created[2].id },
      data: { command: 'echo touched' }
    });
    const order = [created[2], ...created.filter((_, i) => i !== 2).reverse()].map(s => s.displayName);

    const page = async (n: number, where: Record<string, unknown> = { groupId_in: [pagingGroupId] }) =>
      (await gqlOk(server.endpoint, pagerToken, PAGE, { where, page: n })).phSchedulesConnection;
    const p1 = await page(1);
    expect(p1.pageInfo).toEqual({ totalPage: 2, currentPage: 1 });
    expect(p1.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(order.slice(0, 10));
    expect(p1.edges.every((e: { cursor: string; node: { id: string } }) => e.cursor === e.node.id)).toBe(true);
    const p2 = await page(2);
    expect(p2.pageInfo).toEqual({ totalPage: 2, currentPage: 2 });
    expect(p2.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(order.slice(10));
    const p3 = await page(3);
    expect(p3.edges).toEqual([]);
    // Without groupId_in: all of the caller's groups (only "paging" here).
    expect((await page(1, {})).edges).toHaveLength(10);

    const list = await gqlOk(server.endpoint, pagerToken, LIST, { where: { groupId_in: [pagingGroupId] }, page: 2 });
    expect(list.phSchedules.map((s: { displayName: string }) => s.displayName)).toEqual(order.slice(10));
    const all = await gqlOk(server.endpoint, pagerToken, LIST, { where: { groupId_in: [pagingGroupId] } });
    expect(all.phSchedules.map((s: { displayName: string }) => s.displayName)).toEqual(order);

    // Filters.
    const search = await page(1, { groupId_in: [pagingGroupId], search: 'PAGED-1' });
    expect(search.edges.map((e: { node: { displayName: string } }) => e.node.displayName).sort()).toEqual([
      'paged-10',
      'paged-11',
      'paged-12'
    ]);
    const contains = await page(1, { displayName_contains: 'ged-0' });
    expect(contains.edges).toHaveLength(9);

    // Cursor pagination.
    const cursor = async (vars: Record<string, unknown>) =>
      (await gqlOk(server.endpoint, pagerToken, CURSOR, { where: { groupId_in: [pagingGroupId] }, ...vars }))
        .phSchedulesConnection;
    const first = await cursor({ first: 4 });
    expect(first.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(order.slice(0, 4));
    expect(first.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: first.edges[0].cursor,
      endCursor: first.edges[3].cursor
    });
    const rest = await cursor({ first: 100, after: first.pageInfo.endCursor });
    expect(rest.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(order.slice(4));
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const last = await cursor({ last: 2 });
    expect(last.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(order.slice(10));
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true });
    const beforeCursor = await cursor({ last: 3, before: rest.edges[0].cursor });
    expect(beforeCursor.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(
      order.slice(1, 4)
    );

    // The default user does not see any of them.
    const theirs = await gqlOk(server.endpoint, server.token, PAGE, {
      where: { groupId_in: [pagingGroupId] },
      page: 1
    });
    expect(theirs.phSchedulesConnection).toEqual({ pageInfo: { totalPage: 1, currentPage: 1 }, edges: [] });
  });

  test("another group's schedule is NOT_AUTH for every operation", async () => {
    const theirs = await create({ displayName: 'not-yours', groupId: pagingGroupId }, pagerToken);
    const notAuth = { message: 'user not auth', code: 'NOT_AUTH' };
    expect(errorOf(await gql(server.endpoint, server.token, GET, { where: { id: theirs.id } }))).toEqual(notAuth);
    expect(
      errorOf(
        await gql(server.endpoint, server.token, UPDATE, {
          where: { id: theirs.id },
          data: { displayName: 'mine now' }
        })
      )
    ).toEqual(notAuth);
    expect(errorOf(await gql(server.endpoint, server.token, RUN, { where: { id: theirs.id } }))).toEqual(notAuth);
    expect(errorOf(await gql(server.endpoint, server.token, DELETE, { where: { id: theirs.id } }))).toEqual(notAuth);
    // Nor may anyone create a schedule in, or move one to, a group they are not in.
    expect(
      errorOf(await gql(server.endpoint, server.token, CREATE, { data: template({ groupId: pagingGroupId }) }))
    ).toEqual(notAuth);
    const mine = await create({ displayName: 'stay-home' });
    expect(
      errorOf(
        await gql(server.endpoint, server.token, UPDATE, { where: { id: mine.id }, data: { groupId: pagingGroupId } })
      )
    ).toEqual(notAuth);
    expect((await get(mine.id)).groupId).toBe(server.groupId);
    // Untouched, and still theirs.
    const still = await gqlOk(server.endpoint, pagerToken, GET, { where: { id: theirs.id } });
    expect(still.phSchedule).toEqual(theirs);
  });

  test('a custom "* * * * *" schedule fires on the minute; its job carries the schedule id', async () => {
    expect(everyMinute.recurrence).toEqual({ type: 'custom', cron: '* * * * *' });
    expect(expectedNextRuns('* * * * *', everyMinuteCreated.before, everyMinuteCreated.after)).toContain(
      everyMinute.nextRunTime
    );
    const due = Date.parse(everyMinute.nextRunTime!);
    expect(due - everyMinuteCreated.after.getTime()).toBeLessThanOrEqual(60_000);

    const jobsQuery = `query ($where: PhJobWhereInput) { phJobs(where: $where) { id schedule displayName createTime } }`;
    const fired = await waitFor(
      'the schedule to fire',
      async () => {
        const res = await gqlOk(server.endpoint, server.token, jobsQuery, {
          where: { groupId_in: [server.groupId], displayName_contains: everyMinute.displayName }
        });
        return res.phJobs.find((j: { schedule: string | null }) => j.schedule === everyMinute.id);
      },
      Math.max(0, due - Date.now()) + 15_000,
      250
    );
    // Not early, and promptly.
    expect(Date.parse(fired.createTime)).toBeGreaterThanOrEqual(due);
    expect(Date.parse(fired.createTime)).toBeLessThan(due + 10_000);
    const job = await getJob(server.endpoint, server.token, fired.id);
    expect(job).toMatchObject({
      schedule: everyMinute.id,
      displayName: everyMinute.displayName,
      userName: 'phuser',
      groupId: server.groupId
    });
    const done = await waitForJob(server.endpoint, server.token, fired.id);
    expect(done.phase).toBe('Succeeded');

    // The schedule moved on to the next minute.
    const after = await get(everyMinute.id);
    expect(after.nextRunTime).toBe(new Date(due + 60_000).toISOString());
    await gqlOk(server.endpoint, server.token, DELETE, { where: { id: everyMinute.id } });
  });
});
