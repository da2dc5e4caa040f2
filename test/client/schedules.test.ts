import { isPaused, NotFoundError, PrimeHubClient, ValidationError, type Schedule } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, unique } from './support';

const base = (displayName: string) => ({
  displayName,
  instanceType: 'cpu-1',
  image: 'base-notebook',
  command: 'echo "scheduled run of $PHJOB_NAME"'
});

/** Recurring jobs through the client: every recurrence type, paging, update, run now, delete. */
describe('client: recurring jobs (schedules)', () => {
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

  test('each recurrence type: presets, custom cron, on-demand is inactive, a bad cron refused with its reason', async () => {
    const prefix = unique('types');
    const made: Record<string, Schedule> = {};
    for (const type of ['daily', 'weekly', 'monthly'] as const) {
      made[type] = await client.schedules.create({ ...base(`${prefix}-${type}`), recurrence: { type } });
    }
    made.custom = await client.schedules.create({
      ...base(`${prefix}-custom`),
      recurrence: { type: 'custom', cron: '*/15 9-17 * * 1-5' },
      activeDeadlineSeconds: 300
    });
    made.onDemand = await client.schedules.create({ ...base(`${prefix}-od`), recurrence: { type: 'on-demand' } });

    expect(made.daily.recurrence).toEqual({ type: 'daily', cron: '0 4 * * *' });
    expect(made.weekly.recurrence).toEqual({ type: 'weekly', cron: '0 4 * * 1' });
    expect(made.monthly.recurrence).toEqual({ type: 'monthly', cron: '0 4 1 * *' });
    expect(made.custom.recurrence).toEqual({ type: 'custom', cron: '*/15 9-17 * * 1-5' });
    for (const s of [made.daily, made.weekly, made.monthly, made.custom]) {
      expect(s).toMatchObject({ invalid: false, message: null, groupId: server.groupId, userName: 'phuser' });
      expect(Date.parse(s.nextRunTime!)).toBeGreaterThan(Date.now());
    }
    expect(new Date(made.daily.nextRunTime!).getHours()).toBe(4);
    expect(made.onDemand).toMatchObject({ recurrence: { type: 'inactive', cron: '' }, nextRunTime: null });
    // caught before sending, with what is wrong: unknown types, custom without a cron, a cron without
    // 5 fields, out of range or never firing (the server would store those as invalid)
    const reject = async (recurrence: any, message: RegExp) => {
      const err = await client.schedules.create({ ...base(`${prefix}-x`), recurrence }).catch(e => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(message);
    };
    await reject({ type: 'hourly' }, /recurrence.type must be one of/);
    await reject({ type: 'custom' }, /recurrence.cron/);
    await reject({ type: 'custom', cron: '* * *' }, /5 fields.*got 3/);
    await reject({ type: 'custom', cron: '61 25 * * *' }, /"61 25 \* \* \*" is not valid: .*minute/);
    await reject({ type: 'custom', cron: '0 0 30 2 *' }, /never fires/);
    expect((await client.schedules.list({ search: `${prefix}-x` })).items).toEqual([]);
  });

  test('get, list by pages and iterate over more than 10', async () => {
    const prefix = unique('paged');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await client.schedules.create({ ...base(`${prefix}-${i}`), recurrence: { type: 'inactive' } })).id);
    }
    expect(ids.every(id => /^recurrence-[a-z0-9]{6}$/.test(id))).toBe(true);
    const one = await client.schedules.get(ids[3]);
    expect(one).toMatchObject({ id: ids[3], displayName: `${prefix}-3`, instanceType: { name: 'cpu-1', cpuLimit: 1 } });

    const page1 = await client.schedules.list({ search: prefix });
    expect(page1).toMatchObject({ currentPage: 1, totalPage: 2 });
    expect(page1.items).toHaveLength(10);
    const page2 = await client.schedules.list({ search: prefix, page: 2 });
    expect(page2.items).toHaveLength(2);
    const all = await collect(client.schedules.iterate({ search: prefix }));
    expect(all.map(s => s.id)).toEqual([...page1.items, ...page2.items].map(s => s.id));
    expect(new Set(all.map(s => s.id))).toEqual(new Set(ids));
    const byName = await collect(client.schedules.iterate({ search: prefix, orderBy: { displayName: 'desc' } }));
    expect(byName.map(s => s.displayName)).toEqual(
      ids
        .map((_, i) => `${prefix}-${i}`)
        .sort()
        .reverse()
    );
    expect((await collect(client.schedules.iterate({ displayNameContains: `${prefix}-1`, mine: true }))).length).toBe(
      3
    );
  });

  test('update is a partial patch; run starts a job now; delete removes the schedule but not its jobs', async () => {
    const name = unique('lifecycle');
    const s = await client.schedules.create({ ...base(name), recurrence: { type: 'daily' } });

    const renamed = await client.schedules.update(s.id, { displayName: `${name}-renamed` });
    expect(renamed).toMatchObject({
      id: s.id,
      displayName: `${name}-renamed`,
      recurrence: { type: 'daily', cron: '0 4 * * *' },
      command: s.command
    });
    const recurring = await client.schedules.update(s.id, {
      recurrence: { type: 'custom', cron: '30 2 * * *' },
      command: 'echo "updated run of $PHJOB_NAME"'
    });
    expect(recurring).toMatchObject({
      displayName: `${name}-renamed`,
      recurrence: { type: 'custom', cron: '30 2 * * *' },
      invalid: false
    });
    expect(new Date(recurring.nextRunTime!).getMinutes()).toBe(30);
    const paused = await client.schedules.update(s.id, { recurrence: { type: 'on-demand' } });
    expect(paused).toMatchObject({ recurrence: { type: 'inactive' }, nextRunTime: null });
    expect(await client.schedules.get(s.id)).toMatchObject({ displayName: `${name}-renamed`, nextRunTime: null });

    const { jobId } = await client.schedules.run(s.id);
    expect(jobId).toMatch(/^job-\d{12}-[a-z0-9]{6}$/);
    const job = await client.jobs.wait(jobId!, { timeoutMs: 30_000 });
    expect(job).toMatchObject({ phase: 'Succeeded', displayName: `${name}-renamed`, groupId: server.groupId });
    expect(await collect(client.jobs.logs(jobId!))).toContain(`updated run of ${jobId}`);

    expect(await client.schedules.delete(s.id)).toEqual({ id: s.id });
    await expect(client.schedules.get(s.id)).rejects.toThrow(NotFoundError);
    await expect(client.schedules.run(s.id)).rejects.toThrow(NotFoundError);
    await expect(client.schedules.update(s.id, { displayName: 'gone' })).rejects.toThrow(NotFoundError);
    await expect(client.schedules.delete(s.id)).rejects.toThrow(NotFoundError);
    expect((await client.jobs.get(jobId!)).phase).toBe('Succeeded');
  });

  test('pause keeps the cron and runs nothing; resume brings the same schedule back; on demand cannot resume', async () => {
    const name = unique('pause');
    const custom = await client.schedules.create({
      ...base(`${name}-custom`),
      recurrence: { type: 'custom', cron: '*/20 6-18 * * 1-5' }
    });
    const daily = await client.schedules.create({ ...base(`${name}-daily`), recurrence: { type: 'daily' } });

    const paused = await client.schedules.pause(custom.id);
    expect(paused).toMatchObject({ recurrence: { type: 'inactive', cron: '*/20 6-18 * * 1-5' }, nextRunTime: null });
    expect(isPaused(paused)).toBe(true);
    // stored as PrimeHub stores it: another client (or the SDK) reads the kept cron back
    expect((await client.schedules.get(custom.id)).recurrence).toEqual({ type: 'inactive', cron: '*/20 6-18 * * 1-5' });
    // pausing twice changes nothing
    expect((await client.schedules.pause(custom.id)).recurrence).toEqual(paused.recurrence);

    const resumed = await client.schedules.resume(custom.id);
    expect(resumed).toMatchObject({ recurrence: { type: 'custom', cron: '*/20 6-18 * * 1-5' }, invalid: false });
    expect(isPaused(resumed)).toBe(false);
    expect(Date.parse(resumed.nextRunTime!)).toBeGreaterThan(Date.now());
    expect(new Date(resumed.nextRunTime!).getMinutes() % 20).toBe(0);

    // a preset comes back as its preset type
    expect((await client.schedules.pause(daily.id)).recurrence).toEqual({ type: 'inactive', cron: '0 4 * * *' });
    expect((await client.schedules.resume(daily.id)).recurrence).toEqual({ type: 'daily', cron: '0 4 * * *' });
    expect((await client.schedules.resume(daily.id)).recurrence).toEqual({ type: 'daily', cron: '0 4 * * *' });

    // the schedule stays in its own group even when the client's current group is another one
    const elsewhere = await client.schedules.pause(custom.id, {});
    expect(elsewhere.groupId).toBe(server.groupId);

    const onDemand = await client.schedules.create({ ...base(`${name}-od`), recurrence: { type: 'on-demand' } });
    expect(isPaused(onDemand)).toBe(false);
    await expect(client.schedules.resume(onDemand.id)).rejects.toThrow(/runs on demand only/);
    await expect(client.schedules.pause('recurrence-nosuch')).rejects.toThrow(NotFoundError);
  });
});
