import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/Database';
import { IdentityStore } from '../db/IdentityStore';
import { JobStore, type JobPhase, type JobRow } from '../db/JobStore';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from '../seed';
import { isJobProcess, recoverJobs } from './recovery';

/** Recovery over real stores in a real SQLite database, with the runner's steps recorded. */
describe('recoverJobs', () => {
  let dir: string;
  let db: Db;
  let jobs: JobStore;
  let identity: IdentityStore;
  let steps: { finalized: [string, JobPhase, string | null, string | null][]; notes: [string, string][] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-recovery-'));
    db = openDatabase(join(dir, 'primehub.db'));
    identity = new IdentityStore(db);
    seedDefaults(identity);
    jobs = new JobStore(db);
    steps = { finalized: [], notes: [] };
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function job(patch: Partial<JobRow>): JobRow {
    const g = identity.groupByName(DEFAULT_GROUP)!;
    const u = identity.userByName(DEFAULT_USER)!;
    const row = jobs.create({
      displayName: 'j',
      groupId: g.id,
      groupName: g.name,
      userId: u.id,
      userName: u.username,
      instanceType: 'cpu-1',
      image: 'base-notebook',
      command: 'true',
      activeDeadlineSeconds: null,
      scheduleId: null
    });
    return jobs.update(row.id, patch);
  }

  const recover = () =>
    recoverJobs(jobs, {
      finalize: async (j, phase, reason, message) => void steps.finalized.push([j.id, phase, reason, message]),
      note: async (id, line) => void steps.notes.push([id, line])
    });

  test('a job whose command had exited gets its own outcome; one that was running is Failed, ServerRestarted', async () => {
    const exited = job({ phase: 'Running', exit_code: 2 });
    const running = job({ phase: 'Running' });
    const pending = job({});
    await recover();
    const message = 'PrimeHub Local restarted while the job was running; the job was stopped';
    expect(steps.finalized).toEqual([
      [exited.id, 'Failed', 'PodFailed', 'Job failed: the command exited with code 2'],
      [running.id, 'Failed', 'ServerRestarted', message]
    ]);
    expect(steps.notes).toEqual([[running.id, message]]);
    expect(steps.finalized.map(f => f[0])).not.toContain(pending.id);
  });

  test('final jobs whose artifacts were not copied are finalized again, keeping their phase', async () => {
    const done = job({ phase: 'Succeeded', reason: 'PodSucceeded', message: 'Job completed', artifacts: 'copying' });
    job({ phase: 'Succeeded', artifacts: 'done' });
    await recover();
    expect(steps.finalized).toEqual([[done.id, 'Succeeded', 'PodSucceeded', 'Job completed']]);
  });

  test("what is left of an unsandboxed job's process group is killed; a reused pid is left alone", async () => {
    const row = job({ phase: 'Running' });
    const orphan = spawn('sleep', ['300'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, PHJOB_NAME: row.id }
    });
    const stranger = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    try {
      jobs.update(row.id, { pid: orphan.pid });
      const other = job({ phase: 'Running', pid: stranger.pid });
      expect(await isJobProcess(orphan.pid!, row.id)).toBe(true);
      expect(await isJobProcess(stranger.pid!, other.id)).toBe(false);
      const killed = new Promise(resolve => orphan.once('exit', (_c, signal) => resolve(signal)));
      await recover();
      expect(await killed).toBe('SIGKILL');
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
    } finally {
      orphan.kill('SIGKILL');
      stranger.kill('SIGKILL');
    }
  });
});
