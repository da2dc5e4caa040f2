import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/Database';
import { IdentityStore, type GroupInput, type UserRow } from '../db/IdentityStore';
import { JobStore, type JobRow } from '../db/JobStore';
import { DEFAULT_USER, seedDefaults } from '../seed';
import { JobQueue, type Resources } from './JobQueue';

/** The queue over real stores in a real SQLite database; "starting" a job only marks it Running. */
describe('JobQueue', () => {
  let dir: string;
  let db: Db;
  let identity: IdentityStore;
  let jobs: JobStore;
  let user: UserRow;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-queue-'));
    db = openDatabase(join(dir, 'primehub.db'));
    identity = new IdentityStore(db);
    seedDefaults(identity);
    jobs = new JobStore(db);
    user = identity.userByName(DEFAULT_USER)!;
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function group(input: GroupInput) {
    const g = identity.addGroup(input);
    identity.addUser(`u-${g.name}`, [g.name]);
    return g;
  }

  function submit(groupName: string, instanceType = 'cpu-1', by: UserRow = user): JobRow {
    const g = identity.groupByName(groupName)!;
    return jobs.create({
      displayName: 'j',
      groupId: g.id,
      groupName: g.name,
      userId: by.id,
      userName: by.username,
      instanceType,
      image: 'base-notebook',
      command: 'true',
      activeDeadlineSeconds: null,
      scheduleId: null
    });
  }

  /** One pass; admitted jobs are marked Running, as the runner's start would. */
  function pass(queue: JobQueue, running: Resources[] = []): string[] {
    const admitted = queue.admit(running);
    for (const a of admitted) {
      jobs.update(a.job.id, { phase: 'Running' });
    }
    return admitted.map(a => a.job.id);
  }

  test('FIFO within the machine slots: the job that does not fit waits, and so do the later jobs of its group', () => {
    const queue = new JobQueue(jobs, identity, { cpu: 2, memory: 8 });
    const a = submit('phusers');
    const b = submit('phusers', 'cpu-2');
    const c = submit('phusers');
    expect(pass(queue)).toEqual([a.id]);
    expect(jobs.get(b.id)!.message).toBe('Waiting for a free slot: all CPUs of this machine are in use');
    expect(jobs.get(b.id)!.reason).toBe('Unschedulable');
    expect(jobs.get(c.id)!.phase).toBe('Pending');
    // With the machine free again, b and then c start in order.
    jobs.update(a.id, { phase: 'Succeeded' });
    expect(pass(queue)).toEqual([b.id]);
  });

  test('what is running counts against the machine', () => {
    const queue = new JobQueue(jobs, identity, { cpu: 2, memory: 8 });
    submit('phusers');
    expect(pass(queue, [{ cpu: 2, memory: 1 }])).toEqual([]);
  });

  test('GPU jobs and jobs larger than the machine stay Pending with their reason and do not block their group', () => {
    const queue = new JobQueue(jobs, identity, { cpu: 1, memory: 8 });
    const gpu = submit('phusers', 'gpu-1');
    const big = submit('phusers', 'cpu-2');
    const small = submit('phusers');
    expect(pass(queue)).toEqual([small.id]);
    expect(jobs.get(gpu.id)!.message).toMatch(/needs 1 GPU; PrimeHub Local has no GPU/);
    expect(jobs.get(big.id)!.message).toBe('instance type cpu-2 needs more CPU or memory than this machine offers');
  });

  test('group and user quotas, counting jobs admitted in the same pass', () => {
    const queue = new JobQueue(jobs, identity, { cpu: 8, memory: 64 });
    const g = group({ name: 'team', cpuQuota: 2 });
    const member = identity.userByName(`u-${g.name}`)!;
    const [a, b, c] = [
      submit('team', 'cpu-1', member),
      submit('team', 'cpu-1', member),
      submit('team', 'cpu-1', member)
    ];
    expect(pass(queue)).toEqual([a.id, b.id]);
    expect(jobs.get(c.id)!.message).toBe('Waiting for group quota: the group CPU quota is in use by other jobs');

    const u = group({ name: 'solo', userMemoryQuota: 1 });
    const soloUser = identity.userByName(`u-${u.name}`)!;
    const [d, e] = [submit('solo', 'cpu-1', soloUser), submit('solo', 'cpu-1', soloUser)];
    expect(pass(queue)).toEqual([d.id]);
    expect(jobs.get(e.id)!.message).toBe(
      'Waiting for user quota: your memory quota in this group is in use by your other jobs'
    );
  });

  test('one group waiting does not hold back another', () => {
    const queue = new JobQueue(jobs, identity, { cpu: 8, memory: 64 });
    const g = group({ name: 'tight', cpuQuota: 0.5 });
    const member = identity.userByName(`u-${g.name}`)!;
    submit('tight', 'cpu-1', member);
    const other = submit('phusers');
    expect(pass(queue)).toEqual([other.id]);
  });
});
