import type { ListArgs, OwnedWhere } from '../db/paginate';
import type { RecordStore } from '../db/RecordStore';
import type { Services } from '../Services';
import type { Context } from './context';

type ListQueryArgs = ListArgs & { where?: OwnedWhere | null };

/** The caller's groups: list queries never reach beyond them (admins included, as on PrimeHub). */
function callerGroups(ctx: Context): string[] {
  return ctx.services.identity.groupsOfUser(ctx.user.id).map(g => g.id);
}

/**
 * The list (`phJobs`) and connection (`phJobsConnection`) resolvers of one kind of group-owned
 * record, paged and filtered as PrimeHub pages them; cursors are record ids.
 */
export function listResolvers<Row extends { id: string; seq: number }>(
  store: (services: Services) => RecordStore<Row>,
  toObject: (row: Row, services: Services) => unknown
) {
  const list = (args: ListQueryArgs, ctx: Context) => {
    const page = store(ctx.services).list(args.where ?? {}, callerGroups(ctx), ctx.user.id, args);
    ctx.budget.take(page.rows.length);
    return page;
  };
  return {
    list: (_: unknown, args: ListQueryArgs, ctx: Context) => list(args, ctx).rows.map(r => toObject(r, ctx.services)),
    connection: (_: unknown, args: ListQueryArgs, ctx: Context) => {
      const page = list(args, ctx);
      return {
        pageInfo: page.pageInfo,
        edges: page.rows.map(r => ({ cursor: r.id, node: toObject(r, ctx.services) }))
      };
    }
  };
}
