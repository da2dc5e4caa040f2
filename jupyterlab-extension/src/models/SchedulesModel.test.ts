import type { Schedule } from '@primehub-suite/client/browser';
import { LocalServerProcess } from '../../../test/kit/localServer';
import { TestHub, when } from '../testing/TestHub';
import { JobModel } from './JobModel';
import { SchedulesModel } from './SchedulesModel';

let server: LocalServerProcess;
let hub: TestHub;

beforeAll(async () => {
  server = await LocalServerProcess.start();
  hub = new TestHub(server.endpoint, server.token, server.groupName);
}, 120_000);

afterAll(async () => {
  await server?.dispose();
});

it('pauses a recurring job keeping its schedule, resumes it, and deletes it', async () => {
  const made = await hub.client.schedules.create({
    displayName: 'nightly',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    command: 'true',
    recurrence: { type: 'custom', cron: '30 2 * * *' }
  });
  const deleted: string[] = [];
  const model = new SchedulesModel(hub, async (s: Schedule) => {
    deleted.push(s.id);
    await hub.client.schedules.delete(s.id);
  });
  try {
    model.active = true;
    model.start();
    const row = (): Schedule | undefined => model.items?.find(s => s.id === made.id);
    await when(model.changed, () => row() !== undefined);
    await model.pause(row()!);
    await when(model.changed, () => row()?.recurrence?.type === 'inactive');
    expect(row()!.recurrence?.cron).toBe('30 2 * * *');
    expect(model.note).toBe('Paused nightly');
    await model.resume(row()!);
    await when(model.changed, () => row()?.recurrence?.type === 'custom');
    expect(row()!.recurrence?.cron).toBe('30 2 * * *');
    expect(model.note).toBe('Resumed nightly');
    await model.delete(row()!);
    expect(deleted).toEqual([made.id]);
    expect(row()).toBeUndefined();
    expect(model.error).toBe('');
  } finally {
    model.dispose();
  }
});

it('follows a job until it ends, then stops polling it', async () => {
  const job = await hub.client.jobs.submit({
    displayName: 'fails',
    instanceType: 'cpu-1',
    image: 'base-notebook',
    command: 'echo about to fail; exit 3'
  });
  const model = new JobModel(hub, job.id);
  try {
    model.start();
    await when(model.changed, () => model.ended, 90_000);
    expect(model.job?.phase).toBe('Failed');
    const sent = hub.requests.length;
    let ticks = 0;
    model.poll.ticked.connect(() => void ticks++);
    await when(model.poll.ticked, () => ticks >= 2, 20_000);
    expect(hub.requests.slice(sent).filter(r => r === 'JobGet')).toEqual([]);
  } finally {
    model.dispose();
  }
});
