import type { ClientContext } from '../ClientContext';
import { NotFoundError } from '../errors';
import { GROUPS, IMAGES, INSTANCE_TYPES, VOLUMES } from '../operations/identity';
import type { CallOptions, GroupCallOptions, GroupRef, GroupWithQuota, Image, InstanceType, Volume } from '../types';

/**
 * The user's effective groups and their resources. Users discover instance types, images and
 * volumes only through `me.effectiveGroups` (the list queries are admin-only).
 */
export class GroupsApi {
  constructor(private readonly ctx: ClientContext) {}

  /** Effective groups with user (`quota*`) and group (`projectQuota*`) quotas. */
  async list(opts: CallOptions = {}): Promise<GroupWithQuota[]> {
    const data = await this.ctx.requester.graphql(GROUPS, {}, opts);
    return data.me?.effectiveGroups ?? [];
  }

  /** The client's current group (or `opts.group`), resolved by name. */
  current(opts: GroupCallOptions = {}): Promise<GroupRef> {
    return this.ctx.resolveGroup(opts.group, opts);
  }

  /** Instance types available to the group. */
  async instanceTypes(opts: GroupCallOptions = {}): Promise<InstanceType[]> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(INSTANCE_TYPES, {}, opts);
    return pick(data.me?.effectiveGroups, group.name).instanceTypes ?? [];
  }

  /** Images available to the group. */
  async images(opts: GroupCallOptions = {}): Promise<Image[]> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(IMAGES, {}, opts);
    return pick(data.me?.effectiveGroups, group.name).images ?? [];
  }

  /** Volumes (legacy datasets) mounted for the group. */
  async volumes(opts: GroupCallOptions = {}): Promise<Volume[]> {
    const group = await this.ctx.resolveGroup(opts.group, opts);
    const data = await this.ctx.requester.graphql(VOLUMES, {}, opts);
    return pick(data.me?.effectiveGroups, group.name).datasets ?? [];
  }
}

function pick<T extends { name: string }>(groups: T[] | null | undefined, name: string): T {
  const g = (groups ?? []).find(x => x.name === name);
  if (!g) {
    throw new NotFoundError(`group "${name}" is not among your effective groups`);
  }
  return g;
}
