import { notAuth } from '../errors';
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
    files: (
      _: unknown,
      args: { where: FileWhere; options?: { limit?: number | null; recursive?: boolean | null } | null },
      ctx: Context
    ) => ctx.services.phfs.list(memberGroup(ctx, args.where.groupName), args.where.phfsPrefix, args.options ?? {})
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
