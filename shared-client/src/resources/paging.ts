import type { Page } from '../types';
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

/**
 * Iterates every item of a numbered listing, page by page (PrimeHub serves 10 per page).
 * Stops at an empty page or after `totalPage`, whichever comes first, like the SDK.
 */
export async function* iteratePages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  firstPage = 1
): AsyncGenerator<T> {
  for (let page = firstPage; ; page++) {
    const p = await fetchPage(page);
    for (const item of p.items) {
      yield item;
    }
    if (p.items.length === 0 || page >= p.totalPage) {
      return;
    }
  }
}

/** The filters job and recurring-job listings share (PhJobWhereInput / PhScheduleWhereInput). */
export interface OwnedListFilters {
  search?: string;
  displayNameContains?: string;
  mine?: boolean;
  orderBy?: object;
}

/** Variables of a numbered listing of one group's jobs or recurring jobs. */
export function ownedListVariables(groupId: string, filters: OwnedListFilters, page: number) {
  const where = stripUndefined({
    groupId_in: [groupId],
    search: filters.search,
    displayName_contains: filters.displayNameContains,
    mine: filters.mine
  });
  return { where, page, ...(filters.orderBy ? { orderBy: filters.orderBy } : {}) };
}
