import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from '../seed';
import { openDatabase, type Db } from './Database';
import { IdentityStore } from './IdentityStore';
import { JobStore, type JobRow } from './JobStore';
import type { ListArgs } from './paginate';

/** Cursor and numbered pages over a real SQLite database, with ties in every sort key. */
describe('paginate', () => {
  let dir: string;
  let db: Db;
  let jobs: JobStore;
  let groups: string[];
  let userId: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-paginate-'));
    db = openDatabase(join(dir, 'primehub.db'));
    const identity = new IdentityStore(db);
    seedDefaults(identity);
    jobs = new JobStore(db);
    const g = identity.groupByName(DEFAULT_GROUP)!;
    const u = identity.userByName(DEFAULT_USER)!;
    groups = [g.id];
    userId = u.id;
    for (let i = 0; i < 23; i++) {
      const row = jobs.create({
        displayName: `job-${i % 4}`,
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
      // Three jobs share each creation time.
      db.prepare('UPDATE jobs SET create_time = ? WHERE id = ?').run(
        `2026-01-01T00:00:0${Math.floor(i / 3)}.000Z`,
        row.id
      );
    }
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const list = (args: ListArgs) => jobs.list({}, groups, userId, args);

  /** Every job, walked 4 at a time forward with `after`, then backward with `before`. */
  function walk(orderBy?: ListArgs['orderBy']): { forward: string[]; backward: string[] } {
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = list({ orderBy, first: 4, after });
      forward.push(...page.rows.map(r => r.id));
      if (!page.pageInfo.hasNextPage) {
        break;
      }
      after = page.pageInfo.endCursor!;
    }
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page = list({ orderBy, last: 4, before });
      backward.unshift(...page.rows.map(r => r.id));
      if (!page.pageInfo.hasPreviousPage) {
        break;
      }
      before = page.pageInfo.startCursor!;
    }
    return { forward, backward };
  }

  const sorted = (key: (r: JobRow) => string, dir: 'asc' | 'desc'): string[] => {
    const all = db.prepare('SELECT * FROM jobs').all() as JobRow[];
    const sign = dir === 'asc' ? 1 : -1;
    return all.sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.seq - b.seq)).map(r => r.id);
  };

  test('cursor pages visit every job once, in order, across ties, both ways and in both directions', () => {
    const byTime = sorted(r => r.create_time, 'desc');
    expect(walk()).toEqual({ forward: byTime, backward: byTime });
    for (const dir of ['asc', 'desc'] as const) {
      const byName = sorted(r => r.display_name, dir);
      expect(walk({ displayName: dir })).toEqual({ forward: byName, backward: byName });
    }
  });

  test('numbered pages agree with the cursor order', () => {
    const byTime = sorted(r => r.create_time, 'desc');
    const page3 = list({ page: 3 });
    expect(page3.pageInfo).toEqual({ totalPage: 3, currentPage: 3 });
    expect(page3.rows.map(r => r.id)).toEqual(byTime.slice(20));
  });
});
