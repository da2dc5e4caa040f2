import type { Page } from '../types';
import { ValidationError } from '../errors';
import { stripUndefined } from './validate';

interface NumberedConnection<T> {
  pageInfo: { totalPage: number | null; currentPage: number | null };
  edges: Array<{ node: T }>;
}

/** Converts a numbered-page connection into a Page. */
export function toPage<T>(conn: NumberedConnection<T>, requested: number): Page<T> {
  return {
    items: conn.edges.map(e => e.node),
    currentPage: conn.pageInfo.currentPage ?? requested,
    totalPage: conn.pageInfo.totalPage ?? 1
  };
}

/** The filters job and recurring-job listings share (PhJobWhereInput / PhScheduleWhereInput). */
export interface OwnedListFilters {
  search?: string;
  displayNameContains?: string;
  mine?: boolean;
  orderBy?: object;
}

/** The `where` and `orderBy` of a listing of one group's jobs or recurring jobs. */
function ownedFilters(groupId: string, filters: OwnedListFilters) {
  const where = stripUndefined({
    groupId_in: [groupId],
    search: filters.search,
    displayName_contains: filters.displayNameContains,
    mine: filters.mine
  });
  return { where, ...(filters.orderBy ? { orderBy: filters.orderBy } : {}) };
}

/** Variables of a numbered listing of one group's jobs or recurring jobs. */
export function ownedListVariables(groupId: string, filters: OwnedListFilters, page: number) {
  return { ...ownedFilters(groupId, filters), page };
}

/** Variables of a cursor page of one group's jobs or recurring jobs. */
export function ownedCursorVariables(groupId: string, filters: OwnedListFilters, first: number, after?: string) {
  return { ...ownedFilters(groupId, filters), first, ...(after ? { after } : {}) };
}

/** One cursor page as the connections serve it (`first`/`after`). */
export interface CursorConnection<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: ReadonlyArray<{ node: T } | null>;
}

/** Default page size of cursor iterations. */
export const CURSOR_PAGE_SIZE = 50;

/**
 * Iterates a cursor connection (`first`/`after`), fetching pages lazily. Items added or removed
 * meanwhile do not shift the pages: each page continues after the last item seen.
 */
export async function* iterateCursor<T>(
  fetchPage: (after: string | undefined) => Promise<CursorConnection<T>>
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const conn = await fetchPage(after);
    for (const edge of conn.edges) {
      if (edge) {
        yield edge.node;
      }
    }
    const next = conn.pageInfo.endCursor;
    if (!conn.pageInfo.hasNextPage || !next || next === after || conn.edges.length === 0) {
      return;
    }
    after = next;
  }
}

/** Checks a page size option. */
export function pageSize(n: number | undefined): number {
  const size = n ?? CURSOR_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new ValidationError('pageSize must be an integer from 1 to 1000');
  }
  return size;
}
