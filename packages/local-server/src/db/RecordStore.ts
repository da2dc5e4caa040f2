import type { Db } from './Database';
import { ownedWhere, paginate, type ListArgs, type OwnedWhere, type PageResult } from './paginate';

/**
 * A table of group-owned records (jobs, recurring jobs) keyed by `id`, ordered by `seq`:
 * lookup, partial update and PrimeHub-style listing.
 */
export abstract class RecordStore<Row extends { id: string; seq: number }> {
  protected abstract readonly table: string;
  /** orderBy field → SQL column. */
  protected abstract readonly sortable: Record<string, string>;
  protected abstract readonly defaultSort: { field: string; dir: 'asc' | 'desc' };

  /** `get`'s statement, compiled once: it is on the path of every prediction. */
  private getStatement?: ReturnType<Db['prepare']>;

  constructor(protected readonly db: Db) {}

  get(id: string): Row | undefined {
    this.getStatement ??= this.db.prepare(`SELECT * FROM ${this.table} WHERE id = ?`);
    return this.getStatement.get(id) as Row | undefined;
  }

  /** Applies a partial update; returns the updated row. */
  update(id: string, patch: Partial<Omit<Row, 'seq' | 'id'>>): Row {
    const keys = Object.keys(patch);
    if (keys.length) {
      this.db
        .prepare(`UPDATE ${this.table} SET ${keys.map(k => `${k} = @${k}`).join(', ')} WHERE id = @id`)
        .run({ ...patch, id });
    }
    return this.get(id)!;
  }

  /** How many records these groups hold, when the store keeps that count; undefined to count rows. */
  protected countInGroups(_groups: string[]): number | undefined {
    return undefined;
  }

  /** One page of the records in the caller's groups that match `where`. */
  list(where: OwnedWhere, visibleGroups: string[], userId: string, args: ListArgs): PageResult<Row> {
    const { where: sql, params, groups, onlyGroups } = ownedWhere(where, visibleGroups, userId);
    return paginate<Row>(
      this.db,
      {
        table: this.table,
        where: sql,
        params,
        sortable: this.sortable,
        defaultSort: this.defaultSort,
        ...(onlyGroups ? { count: () => this.countInGroups(groups) } : {})
      },
      args
    );
  }
}
