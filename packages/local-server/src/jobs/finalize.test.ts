import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../DataDir';
import { openDatabase, type Db } from '../db/Database';
import { IdentityStore } from '../db/IdentityStore';
import { JobStore, type JobRow } from '../db/JobStore';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from '../seed';
import { DEFAULT_ARTIFACT_LIMITS } from './artifacts';
import { finalizeJob, type FinalizeDeps } from './finalize';

/** Finishing a job over a real data directory and database. */
describe('finalizeJob', () => {
  let root: string;
  let db: Db;
  let dirs: DataDir;
  let jobs: JobStore;
  let notes: [string, string][];
  let deps: FinalizeDeps;
  let job: JobRow;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'phl-finalize-'));
    dirs = new DataDir(root);
    dirs.create();
    db = openDatabase(dirs.database);
    const identity = new IdentityStore(db);
    seedDefaults(identity);
    jobs = new JobStore(db);
    notes = [];
    deps = {
      dirs,
      jobs,
      artifactLimits: DEFAULT_ARTIFACT_LIMITS,
      note: async (id, line) => void notes.push([id, line])
    };
    const g = identity.groupByName(DEFAULT_GROUP)!;
    const u = identity.userByName(DEFAULT_USER)!;
    job = jobs.create({
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
    job = jobs.update(job.id, { phase: 'Running', exit_code: 0 });
  });

  afterEach(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('artifacts are published and noted once, the phase recorded and the home removed', async () => {
    mkdirSync(join(dirs.jobHome(job.id), 'artifacts'), { recursive: true });
    writeFileSync(join(dirs.jobHome(job.id), 'artifacts', 'out.txt'), 'result\n');
    await finalizeJob(deps, job, 'Succeeded', 'PodSucceeded', 'Job completed');
    const published = join(dirs.groupPhfs(DEFAULT_GROUP), 'jobArtifacts', job.id, 'out.txt');
    expect(readFileSync(published, 'utf8')).toBe('result\n');
    expect(notes).toEqual([[job.id, expect.stringMatching(/^Artifacts: \(1 files \/ [\d.]+ MB\) uploaded$/)]]);
    expect(jobs.get(job.id)).toMatchObject({
      phase: 'Succeeded',
      reason: 'PodSucceeded',
      message: 'Job completed',
      artifacts: 'done',
      finish_time: expect.any(String)
    });
    expect(existsSync(dirs.jobHome(job.id))).toBe(false);

    // Finalizing again (as recovery might) copies nothing and notes nothing.
    await finalizeJob(deps, jobs.get(job.id)!, 'Succeeded', 'PodSucceeded', 'Job completed');
    expect(notes).toHaveLength(1);
  });

  test('a job without artifacts says so; a finish time already set is kept', async () => {
    const finished = jobs.update(job.id, { finish_time: '2026-01-01T00:00:00.000Z' });
    await finalizeJob(deps, finished, 'Cancelled', 'Cancelled', 'Job cancelled');
    expect(notes).toEqual([[job.id, 'Artifacts: no artifact found']]);
    expect(jobs.get(job.id)).toMatchObject({ phase: 'Cancelled', finish_time: '2026-01-01T00:00:00.000Z' });
  });
});
