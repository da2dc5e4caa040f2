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

  test("a page's total is the number of matching jobs, with or without filters, whatever groups are asked for", () => {
    const [group] = groups;
    const totalPage = (where: Parameters<JobStore['list']>[0]) =>
      jobs.list(where, groups, userId, { page: 1 }).pageInfo.totalPage;
    expect(totalPage({})).toBe(3);
    expect(totalPage({ groupId_in: [group, group] })).toBe(3);
    expect(totalPage({ groupId_in: ['not-mine'] })).toBe(1);
    expect(jobs.list({ groupId_in: ['not-mine'] }, groups, userId, { page: 1 }).rows).toEqual([]);
    // 6 of the 23 jobs are named job-0 (i % 4 === 0).
    expect(totalPage({ displayName_contains: 'job-0' })).toBe(1);
    expect(jobs.list({ displayName_contains: 'job-0' }, groups, userId, { first: 50 }).rows).toHaveLength(6);
    // The kept count follows inserts and deletes.
    const count = () => (db.prepare('SELECT n FROM job_counts WHERE group_id = ?').get(group) as { n: number }).n;
    expect(count()).toBe(23);
    const extra = db.prepare('SELECT * FROM jobs ORDER BY seq LIMIT 1').get() as JobRow;
    db.prepare(
      "INSERT INTO jobs (id, display_name, group_id, group_name, user_id, user_name, instance_type, image, command, phase, create_time) SELECT 'job-extra', display_name, group_id, group_name, user_id, user_name, instance_type, image, command, phase, create_time FROM jobs WHERE id = ?"
    ).run(extra.id);
    expect(count()).toBe(24);
    db.prepare("DELETE FROM jobs WHERE id = 'job-extra'").run();
    expect(count()).toBe(23);
  });

  test('numbered pages, read from either end, agree with the cursor order; past the end they are empty', () => {
    for (const [orderBy, expected] of [
      [undefined, sorted(r => r.create_time, 'desc')],
      [{ displayName: 'asc' }, sorted(r => r.display_name, 'asc')],
      [{ displayName: 'desc' }, sorted(r => r.display_name, 'desc')]
    ] as const) {
      const pages = [1, 2, 3].map(page => list({ page, orderBy }));
      expect(pages.map(p => p.pageInfo)).toEqual([1, 2, 3].map(currentPage => ({ totalPage: 3, currentPage })));
      expect(pages.flatMap(p => p.rows.map(r => r.id))).toEqual(expected);
    }
    expect(list({ page: 4 }).rows).toEqual([]);
  });
});
