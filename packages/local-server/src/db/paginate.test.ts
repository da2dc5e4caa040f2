import BetterSqlite3 from 'better-sqlite3';
import { ApiError } from '../errors';
import { ITEMS_PER_PAGE, likeEscape, ownedWhere, paginate, type ListArgs, type ListQuery } from './paginate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GROUP, DEFAULT_USER, seedDefaults } from '../seed';
import { openDatabase, type Db } from './Database';
import { IdentityStore } from './IdentityStore';
import { JobStore, type JobRow } from './JobStore';
import type { ListArgs } from './paginate';

interface Row {
  seq: number;
  id: string;
  display_name: string;
  group_id: string;
  user_id: string;
  t: string;
  tag: string | null;
}

/** 25 rows, r01…r25; `t` repeats every 5 rows so ties are broken by seq; `tag` is null for every third row. */
function fixture() {
  const db = new BetterSqlite3(':memory:');
  db.exec(`CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, display_name TEXT NOT NULL,
    group_id TEXT NOT NULL, user_id TEXT NOT NULL, t TEXT NOT NULL, tag TEXT)`);
  const insert = db.prepare(
    'INSERT INTO items (id, display_name, group_id, user_id, t, tag) VALUES (?, ?, ?, ?, ?, ?)'
  );
  for (let i = 1; i <= 25; i++) {
    const id = `r${String(i).padStart(2, '0')}`;
    insert.run(
      id,
      `item ${i}${i === 7 ? ' 50%_off' : ''}`,
      i % 2 ? 'ga' : 'gb',
      i % 3 ? 'u1' : 'u2',
      `t${Math.ceil(i / 5)}`,
      i % 3 ? `x${i % 4}` : null
    );
  }
  return db;
}

describe('paginate', () => {
  const db = fixture();
  const q = (where = '', params: unknown[] = []): ListQuery => ({
    table: 'items',
    where,
    params,
    sortable: { createTime: 't', tag: 'tag', displayName: 'display_name' },
    defaultSort: { field: 'createTime', dir: 'desc' }
  });
  const ids = (args: ListArgs, query = q()) => paginate<Row>(db, query, args).rows.map(r => r.id);

  test(`numbered pages hold ${ITEMS_PER_PAGE}, newest first, ties broken by seq; pageInfo has only the page numbers`, () => {
    const first = paginate<Row>(db, q(), { page: 1 });
    expect(first.rows.map(r => r.id)).toEqual(['r25', 'r24', 'r23', 'r22', 'r21', 'r20', 'r19', 'r18', 'r17', 'r16']);
    expect(first.pageInfo).toEqual({ totalPage: 3, currentPage: 1 });
    expect(ids({ page: 3 })).toEqual(['r05', 'r04', 'r03', 'r02', 'r01']);
    // Past the end: empty, not an error.
    expect(paginate<Row>(db, q(), { page: 4 })).toEqual({ rows: [], pageInfo: { totalPage: 3, currentPage: 4 } });
    // Nothing matches: still one (empty) page.
    expect(paginate<Row>(db, q("group_id = 'none'"), { page: 1 }).pageInfo).toEqual({ totalPage: 1, currentPage: 1 });
  });

  test.each([0, -1, 1.5])('page %p is refused', page => {
    expect(() => paginate(db, q(), { page })).toThrow(ApiError);
  });

  test('cursors page forward and back with keyset conditions and say whether there is more', () => {
    const a = paginate<Row>(db, q(), { first: 10 });
    expect(a.rows.map(r => r.id)).toEqual(ids({ page: 1 }));
    expect(a.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'r25', endCursor: 'r16' });
    const b = paginate<Row>(db, q(), { first: 10, after: a.pageInfo.endCursor });
    expect(b.rows.map(r => r.id)).toEqual(ids({ page: 2 }));
    const c = paginate<Row>(db, q(), { first: 10, after: b.pageInfo.endCursor });
    expect(c.rows.map(r => r.id)).toEqual(ids({ page: 3 }));
    expect(c.pageInfo.hasNextPage).toBe(false);
    // Backwards from the end: the last 5 in order, then the 10 before them.
    const z = paginate<Row>(db, q(), { last: 5 });
    expect(z.rows.map(r => r.id)).toEqual(['r05', 'r04', 'r03', 'r02', 'r01']);
    expect(z.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const y = paginate<Row>(db, q(), { last: 10, before: 'r05' });
    expect(y.rows.map(r => r.id)).toEqual(ids({ page: 2 }));
    expect(y.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    // Without first or last, every row after the cursor.
    expect(ids({ after: 'r03' })).toEqual(['r02', 'r01']);
    expect(ids({ first: 0 })).toEqual([]);
  });

  test('bad cursors, counts and orders are refused with REQUEST_BODY_INVALID', () => {
    for (const args of [
      { after: 'nope' },
      { first: -1 },
      { last: 2.5 },
      { orderBy: { createTime: 'up' } },
      { orderBy: { userName: 'asc' } }
    ] as ListArgs[]) {
      expect(() => paginate(db, q(), args)).toThrow(expect.objectContaining({ code: 'REQUEST_BODY_INVALID' }));
    }
  });

  test('orderBy: ascending, descending, on a nullable column (nulls as empty), first given field wins', () => {
    expect(ids({ first: 3, orderBy: { createTime: 'asc' } })).toEqual(['r01', 'r02', 'r03']);
    expect(ids({ first: 3, orderBy: { tag: 'asc' } })).toEqual(['r03', 'r06', 'r09']);
    expect(ids({ first: 2, orderBy: { tag: null, displayName: 'desc' } })).toEqual(['r09', 'r08']);
    // Cursor paging on a nullable column is consistent with the full order.
    const all = ids({ orderBy: { tag: 'desc' } });
    const firstHalf = paginate<Row>(db, q(), { first: 12, orderBy: { tag: 'desc' } });
    const rest = ids({ after: firstHalf.pageInfo.endCursor, orderBy: { tag: 'desc' } });
    expect([...firstHalf.rows.map(r => r.id), ...rest]).toEqual(all);
  });
});

describe('ownedWhere', () => {
  const db = fixture();
  const list = (where: Parameters<typeof ownedWhere>[0], groups = ['ga', 'gb'], user = 'u1') => {
    const w = ownedWhere(where, groups, user);
    return db
      .prepare(`SELECT id FROM items WHERE ${w.where} ORDER BY seq`)
      .all(...w.params)
      .map(r => (r as { id: string }).id);
  };

  test("groupId_in is intersected with the caller's groups; empty means all of them", () => {
    expect(list({})).toHaveLength(25);
    expect(list({ groupId_in: ['ga'] })).toHaveLength(13);
    expect(list({ groupId_in: ['gb', 'elsewhere'] }, ['ga'])).toEqual([]);
    expect(list({}, [])).toEqual([]);
  });

  test('id, displayName_contains, search (wildcards literal) and mine', () => {
    expect(list({ id: 'r07' })).toEqual(['r07']);
    expect(list({ displayName_contains: '50%_' })).toEqual(['r07']);
    expect(list({ displayName_contains: '%' })).toEqual(['r07']);
    expect(list({ search: 'R1' })).toEqual(['r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'r16', 'r17', 'r18', 'r19']);
    expect(list({ mine: true }, ['ga', 'gb'], 'u2')).toEqual(['r03', 'r06', 'r09', 'r12', 'r15', 'r18', 'r21', 'r24']);
  });

  test('likeEscape', () => {
    expect(likeEscape('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});

/** Cursor and numbered pages over a real SQLite database, with ties in every sort key. */
describe('paginate over a real job table', () => {
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

  test('a numbered page walks the rows it skips in the group index alone and reads only its own from the table', () => {
    const prepare = jest.spyOn(db, 'prepare');
    let sql: string | undefined;
    try {
      expect(list({ page: 2 }).rows).toHaveLength(ITEMS_PER_PAGE);
      sql = prepare.mock.calls.map(([text]) => text).find(text => text.includes('OFFSET'));
    } finally {
      prepare.mockRestore();
    }
    expect(sql).toBeDefined();
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(groups[0], ITEMS_PER_PAGE, ITEMS_PER_PAGE) as {
        detail: string;
      }[]
    ).map(row => row.detail);
    expect(plan).toContain('SEARCH jobs USING COVERING INDEX jobs_group (group_id=?)');
    expect(plan).toContain('SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)');
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
