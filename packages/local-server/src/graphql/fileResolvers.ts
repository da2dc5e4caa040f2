import { notAuth } from '../errors';
import { DEFAULT_LIST_LIMIT } from '../phfs/Phfs';
import type { Context } from './context';

interface FileWhere {
  groupName: string;
  phfsPrefix: string;
}

/** The caller must belong to the group whose files are asked for (`NOT_AUTH`). */
function memberGroup(ctx: Context, groupName: string): string {
  const g = ctx.services.identity.groupByName(groupName);
  if (!g || !ctx.services.identity.isMember(ctx.user.id, g.id)) {
    throw notAuth();
  }
  return g.name;
}

export const fileResolvers = {
  Query: {
    files: async (
      _: unknown,
      args: { where: FileWhere; options?: { limit?: number | null; recursive?: boolean | null } | null },
      ctx: Context
    ) => {
      const group = memberGroup(ctx, args.where.groupName);
      const wanted = args.options?.limit && args.options.limit > 0 ? args.options.limit : DEFAULT_LIST_LIMIT;
      const listing = await ctx.services.phfs.list(group, args.where.phfsPrefix, {
        recursive: args.options?.recursive,
        limit: ctx.budget.limit(wanted)
      });
      ctx.budget.take(listing.items.length);
      return listing;
    }
  },
  Mutation: {
    deleteFiles: (
      _: unknown,
      args: { where: FileWhere; options?: { recursive?: boolean | null } | null },
      ctx: Context
    ) =>
      ctx.services.phfs.delete(
        memberGroup(ctx, args.where.groupName),
        args.where.phfsPrefix,
        Boolean(args.options?.recursive)
      )
  }
};
